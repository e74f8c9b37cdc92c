#include "tools/plauditctl/connection.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"

namespace plaudit::ctl {

std::unique_ptr<grpc::ClientContext> NewContext(const Connection& c) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + c.timeout));
  if (!c.actor.empty()) context->AddMetadata("plaudit-actor", c.actor);
  if (!c.api_key.empty()) {
    context->AddMetadata("authorization", "Bearer " + c.api_key);
  }
  return context;
}

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

absl::Status Naming(absl::string_view what, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(what, ": ", status.message()));
}

std::string FormatTime(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S",
                          absl::FromUnixSeconds(ts.seconds()),
                          absl::LocalTimeZone());
}

absl::Status PrintJson(const Connection& c,
                       const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  if (auto s =
          google::protobuf::util::MessageToJsonString(message, &json, options);
      !s.ok()) {
    return absl::InternalError(std::string(s.message()));
  }
  *c.out << json;
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
