#include "services/common/error_reason.h"

#include <algorithm>

#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"

namespace plaudit {
namespace {

constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr char kRetryInfoUrl[] = "type.googleapis.com/google.rpc.RetryInfo";

google::rpc::ErrorInfo InfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  if (absl::optional<absl::Cord> payload = status.GetPayload(kErrorInfoUrl)) {
    info.ParseFromString(std::string(*payload));
  }
  return info;
}

}  // namespace

absl::Status WithReason(
    absl::Status status, absl::string_view reason,
    std::vector<std::pair<std::string, std::string>> metadata) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  for (auto& [key, value] : metadata) {
    (*info.mutable_metadata())[std::move(key)] = std::move(value);
  }
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  google::rpc::RetryInfo retry;
  *retry.mutable_retry_delay() =
      google::protobuf::util::TimeUtil::MillisecondsToDuration(
          absl::ToInt64Milliseconds(delay));
  status.SetPayload(kRetryInfoUrl, absl::Cord(retry.SerializeAsString()));
  return status;
}

std::string ErrorReason(const absl::Status& status) {
  if (status.ok()) return "";
  const google::rpc::ErrorInfo info = InfoOf(status);
  return info.reason().empty() ? StatusCodeName(status.code()) : info.reason();
}

std::vector<std::pair<std::string, std::string>> ErrorMetadata(
    const absl::Status& status) {
  const google::rpc::ErrorInfo info = InfoOf(status);
  std::vector<std::pair<std::string, std::string>> metadata(
      info.metadata().begin(), info.metadata().end());
  std::sort(metadata.begin(), metadata.end());
  return metadata;
}

std::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryInfoUrl);
  if (!payload) return std::nullopt;
  google::rpc::RetryInfo retry;
  if (!retry.ParseFromString(std::string(*payload))) return std::nullopt;
  return absl::Milliseconds(
      google::protobuf::util::TimeUtil::DurationToMilliseconds(
          retry.retry_delay()));
}

const char* StatusCodeName(absl::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
}

}  // namespace plaudit
