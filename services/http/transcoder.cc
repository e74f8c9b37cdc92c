#include "services/http/transcoder.h"

#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/http/json_writer.h"

namespace plaudit {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Invalid(const std::string& where, absl::string_view why) {
  return WithReason(absl::InvalidArgumentError(absl::StrCat(where, ": ", why)),
                    "MALFORMED_REQUEST", {{"field", where}});
}

// A field by its proto name or its JSON name ("page_size", "pageSize").
const FieldDescriptor* FindField(const Descriptor* message,
                                 absl::string_view name) {
  const std::string key(name);
  if (const FieldDescriptor* field = message->FindFieldByName(key)) {
    return field;
  }
  for (int i = 0; i < message->field_count(); ++i) {
    if (message->field(i)->json_name() == key) return message->field(i);
  }
  return nullptr;
}

const google::protobuf::EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor* type, const std::string& text) {
  const std::string upper = absl::AsciiStrToUpper(text);
  if (const auto* exact = type->FindValueByName(upper)) return exact;
  const google::protobuf::EnumValueDescriptor* found = nullptr;
  for (int i = 0; i < type->value_count() && !upper.empty(); ++i) {
    if (absl::StartsWith(type->value(i)->name(), upper)) {
      if (found != nullptr) return nullptr;  // ambiguous
      found = type->value(i);
    }
  }
  return found;
}

// Sets one scalar (or appends to a repeated field) from text.
absl::Status SetScalar(Message* message, const FieldDescriptor* field,
                       const std::string& text, const std::string& where) {
  const Reflection* r = message->GetReflection();
  const bool repeated = field->is_repeated();
  auto bad = [&](absl::string_view type) {
    return Invalid(where, absl::StrCat("\"", text, "\" is not ", type));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      repeated ? r->AddString(message, field, text)
               : r->SetString(message, field, text);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("a 32-bit integer");
      repeated ? r->AddInt32(message, field, v)
               : r->SetInt32(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("a 64-bit integer");
      repeated ? r->AddInt64(message, field, v)
               : r->SetInt64(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("an unsigned integer");
      repeated ? r->AddUInt32(message, field, v)
               : r->SetUInt32(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) return bad("an unsigned integer");
      repeated ? r->AddUInt64(message, field, v)
               : r->SetUInt64(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(text, &v) || !std::isfinite(v)) {
        return bad("a number");
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? r->AddFloat(message, field, static_cast<float>(v))
                 : r->SetFloat(message, field, static_cast<float>(v));
      } else {
        repeated ? r->AddDouble(message, field, v)
                 : r->SetDouble(message, field, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(text, &v)) return bad("true or false");
      repeated ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      // By name in any case ("week", "WEEK"), by a prefix naming one value
      // ("all" for ALL_TIME, as plauditctl says it), or by number.
      const auto* value = FindEnumValue(field->enum_type(), text);
      int number;
      if (value == nullptr && absl::SimpleAtoi(text, &number)) {
        value = field->enum_type()->FindValueByNumber(number);
      }
      if (value == nullptr) {
        std::vector<std::string> names;
        for (int i = 1; i < field->enum_type()->value_count(); ++i) {
          names.push_back(field->enum_type()->value(i)->name());
        }
        return Invalid(where, absl::StrCat("\"", text, "\" is not one of ",
                                           absl::StrJoin(names, ", ")));
      }
      repeated ? r->AddEnum(message, field, value)
               : r->SetEnum(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  // Well-known messages written as one value: a time, a field mask.
  Message* target = repeated ? r->AddMessage(message, field)
                             : r->MutableMessage(message, field);
  if (auto* time = dynamic_cast<google::protobuf::Timestamp*>(target)) {
    if (!google::protobuf::util::TimeUtil::FromString(text, time)) {
      return bad("an RFC 3339 time such as 2026-12-01T09:00:00Z");
    }
    return absl::OkStatus();
  }
  if (auto* mask = dynamic_cast<google::protobuf::FieldMask*>(target)) {
    // Proto names (daily_limit) or JSON names (dailyLimit), as in a body.
    for (absl::string_view path :
         absl::StrSplit(text, ',', absl::SkipEmpty())) {
      std::string snake;
      for (const char c : path) {
        if (absl::ascii_isupper(c)) snake.push_back('_');
        snake.push_back(absl::ascii_tolower(c));
      }
      mask->add_paths(snake);
    }
    return absl::OkStatus();
  }
  return Invalid(where, "a message cannot be given as one value");
}

// Sets the field at `path` ("rule.rule_id", "pageSize") from text.
absl::Status SetPath(Message* message, absl::string_view path,
                     const std::string& text, const std::string& where) {
  const std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* field =
        FindField(message->GetDescriptor(), parts[i]);
    if (field == nullptr) return Invalid(where, "no such field");
    if (i + 1 == parts.size()) return SetScalar(message, field, text, where);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        field->is_repeated()) {
      return Invalid(where, "no such field");
    }
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> QueryDecode(absl::string_view text) {
  std::string spaced(text);
  for (char& c : spaced) {
    if (c == '+') c = ' ';
  }
  return PercentDecode(spaced);
}

absl::Status ApplyQuery(Message* message, absl::string_view query) {
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> key = QueryDecode(kv.first);
    if (!key.ok()) return Invalid("query", key.status().message());
    absl::StatusOr<std::string> value = QueryDecode(kv.second);
    const std::string where = absl::StrCat("query parameter ", *key);
    if (!value.ok()) return Invalid(where, value.status().message());
    if (auto s = SetPath(message, *key, *value, where); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The message field `path` of `message` names ("rule" of UpdateRule).
Message* SubMessage(Message* message, absl::string_view path) {
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    const FieldDescriptor* field =
        message->GetDescriptor()->FindFieldByName(std::string(part));
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return message;
}

// grpc-gateway's convention: a PATCH without update_mask updates the
// fields its body names.
absl::Status MaskFromBody(Message* request, const Message& resource,
                          absl::string_view body) {
  const FieldDescriptor* mask_field =
      request->GetDescriptor()->FindFieldByName("update_mask");
  if (mask_field == nullptr || mask_field->message_type() == nullptr ||
      mask_field->message_type()->full_name() != "google.protobuf.FieldMask" ||
      request->GetReflection()->HasField(*request, mask_field)) {
    return absl::OkStatus();
  }
  google::protobuf::Struct named;
  if (!google::protobuf::util::JsonStringToMessage(std::string(body), &named)
           .ok()) {
    return absl::OkStatus();  // not an object: parsing said so already
  }
  auto* mask = static_cast<google::protobuf::FieldMask*>(
      request->GetReflection()->MutableMessage(request, mask_field));
  for (const auto& [name, value] : named.fields()) {
    const FieldDescriptor* field = FindField(resource.GetDescriptor(), name);
    if (field != nullptr) mask->add_paths(field->name());
  }
  std::sort(mask->mutable_paths()->begin(), mask->mutable_paths()->end());
  return absl::OkStatus();
}

void ApplyIdempotencyKey(Message* request, absl::string_view key) {
  if (key.empty()) return;
  for (absl::string_view path : {"request_id", "event.event_id"}) {
    Message* message = request;
    const std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
    const FieldDescriptor* field = nullptr;
    for (size_t i = 0; i < parts.size(); ++i) {
      field = message->GetDescriptor()->FindFieldByName(std::string(parts[i]));
      if (field == nullptr) break;
      if (i + 1 < parts.size()) {
        if (field->message_type() == nullptr) {
          field = nullptr;
          break;
        }
        message = message->GetReflection()->MutableMessage(message, field);
      }
    }
    if (field == nullptr ||
        field->cpp_type() != FieldDescriptor::CPPTYPE_STRING)
      continue;
    if (message->GetReflection()->GetString(*message, field).empty()) {
      message->GetReflection()->SetString(message, field, std::string(key));
    }
    return;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Message>> BuildRequest(const RouteMatch& match,
                                                      const HttpInput& input) {
  const Route& route = *match.route;
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(route.method->input_type())
          ->New());
  if (!input.body.empty()) {
    if (route.body.empty()) {
      return Invalid("body", absl::StrCat(route.verb, " ", route.pattern,
                                          " takes no body"));
    }
    Message* target = route.body == "*" ? request.get()
                                        : SubMessage(request.get(), route.body);
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto parsed = google::protobuf::util::JsonStringToMessage(
        std::string(input.body), target, options);
    if (!parsed.ok()) {
      return Invalid("body", absl::StrCat("is not a valid JSON ",
                                          target->GetDescriptor()->name(), ": ",
                                          parsed.message().ToString()));
    }
  }
  if (auto s = ApplyQuery(request.get(), input.query); !s.ok()) return s;
  for (const auto& [field, value] : match.bindings) {
    if (auto s = SetPath(request.get(), field, value, field); !s.ok()) return s;
  }
  if (route.verb == "PATCH" && !input.body.empty() && route.body != "*" &&
      !route.body.empty()) {
    if (auto s = MaskFromBody(
            request.get(), *SubMessage(request.get(), route.body), input.body);
        !s.ok()) {
      return s;
    }
  }
  ApplyIdempotencyKey(request.get(), input.idempotency_key);
  return request;
}

std::string ToJson(const Message& message) {
  std::string json;
  json.reserve(4096);
  AppendJson(message, &json);
  return json;
}

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

namespace {

HttpError Render(int http_status, const grpc::Status& status) {
  HttpError error;
  error.status = http_status;
  google::rpc::Status details;
  std::vector<std::string> parts;
  if (details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      std::string json;
      if (google::protobuf::util::MessageToJsonString(any, &json).ok()) {
        parts.push_back(std::move(json));
      }
      google::rpc::RetryInfo retry;
      if (any.UnpackTo(&retry)) {
        const auto& delay = retry.retry_delay();
        error.retry_after_seconds =
            std::max<int64_t>(1, delay.seconds() + (delay.nanos() > 0 ? 1 : 0));
      }
    }
  }
  google::protobuf::Value message;
  message.set_string_value(status.error_message());
  std::string quoted;
  (void)google::protobuf::util::MessageToJsonString(message, &quoted);
  error.body = absl::StrCat(
      "{\"error\":{\"code\":", http_status, ",\"status\":\"",
      StatusCodeName(static_cast<absl::StatusCode>(status.error_code())),
      "\",\"message\":", quoted, ",\"details\":[", absl::StrJoin(parts, ","),
      "]}}");
  return error;
}

}  // namespace

HttpError ToHttpError(const grpc::Status& status) {
  return Render(HttpStatusOf(status.error_code()), status);
}

HttpError HttpErrorOf(int http_status, const absl::Status& status) {
  return Render(http_status, ToGrpcStatus(status));
}

}  // namespace plaudit
