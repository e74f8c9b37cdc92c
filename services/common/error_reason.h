// Machine-readable error reasons (AIP-193): every error a client can get
// carries a stable UPPER_SNAKE_CASE reason ("OUT_OF_STOCK", "ID_REUSED",
// "RATE_LIMITED", ...) in a google.rpc.ErrorInfo, and some a retry delay in
// a google.rpc.RetryInfo, so that clients branch on the reason and never
// parse messages. Inside plauditd both ride on the absl::Status as
// payloads; ToGrpcStatus puts them into the gRPC status details.
#ifndef PLAUDIT_SERVICES_COMMON_ERROR_REASON_H_
#define PLAUDIT_SERVICES_COMMON_ERROR_REASON_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace plaudit {

// ErrorInfo.domain of every reason.
inline constexpr char kErrorDomain[] = "plaudit";

// `status` with `reason` and optional metadata (e.g. {"field", "user_id"}).
absl::Status WithReason(
    absl::Status status, absl::string_view reason,
    std::vector<std::pair<std::string, std::string>> metadata = {});
// `status` telling the client how long to wait before trying again.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// The reason given with WithReason; otherwise the code's name
// ("NOT_FOUND", "UNAVAILABLE"), so that no error is without one.
std::string ErrorReason(const absl::Status& status);
// ErrorInfo.metadata as given with WithReason.
std::vector<std::pair<std::string, std::string>> ErrorMetadata(
    const absl::Status& status);
std::optional<absl::Duration> RetryDelay(const absl::Status& status);

// "INVALID_ARGUMENT" for absl::StatusCode::kInvalidArgument, etc.
const char* StatusCodeName(absl::StatusCode code);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_ERROR_REASON_H_
