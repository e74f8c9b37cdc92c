#include "services/common/grpc_status.h"

#include <string>

#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/error_reason.h"

namespace plaudit {
namespace {

constexpr size_t kMaxMessage = 1024;

std::optional<google::rpc::ErrorInfo> InfoOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return std::nullopt;
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info;
  }
  return std::nullopt;
}

// `text` cut to at most `max` bytes, never inside a UTF-8 character.
absl::string_view Cut(absl::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end);
}

}  // namespace

std::string CappedMessage(const absl::Status& status) {
  return std::string(Cut(status.message(), kMaxMessage));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message = CappedMessage(status);
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(ErrorReason(status));
  info.set_domain(kErrorDomain);
  for (auto& [key, value] : ErrorMetadata(status)) {
    (*info.mutable_metadata())[key] = std::string(Cut(value, kMaxMessage));
  }
  details.add_details()->PackFrom(info);
  if (std::optional<absl::Duration> delay = RetryDelay(status)) {
    google::rpc::RetryInfo retry;
    *retry.mutable_retry_delay() =
        google::protobuf::util::TimeUtil::MillisecondsToDuration(
            absl::ToInt64Milliseconds(*delay));
    details.add_details()->PackFrom(retry);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message,
                      details.SerializeAsString());
}

std::string ErrorReasonOf(const grpc::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = InfoOf(status);
  return info ? info->reason() : "";
}

std::string ErrorMetadataOf(const grpc::Status& status,
                            const std::string& key) {
  std::optional<google::rpc::ErrorInfo> info = InfoOf(status);
  if (!info) return "";
  const auto it = info->metadata().find(key);
  return it == info->metadata().end() ? "" : it->second;
}

std::optional<absl::Duration> RetryDelayOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return std::nullopt;
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&retry)) {
      return absl::Milliseconds(
          google::protobuf::util::TimeUtil::DurationToMilliseconds(
              retry.retry_delay()));
    }
  }
  return std::nullopt;
}

}  // namespace plaudit
