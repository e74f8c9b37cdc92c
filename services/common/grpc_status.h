// The one place where absl::Status becomes grpc::Status.
#ifndef PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_
#define PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace plaudit {

// Same code, message capped at 1 KiB so a huge input never echoes back
// whole; the details (a google.rpc.Status) hold the error's reason as a
// google.rpc.ErrorInfo and, when it has one, its retry delay as a
// google.rpc.RetryInfo.
grpc::Status ToGrpcStatus(const absl::Status& status);
// The message as ToGrpcStatus sends it: at most 1 KiB, cut between UTF-8
// characters (proto3 strings must stay valid UTF-8).
std::string CappedMessage(const absl::Status& status);

// What a client reads back: the ErrorInfo reason ("" for OK or a status
// without details), its metadata entry `key`, and the retry delay.
std::string ErrorReasonOf(const grpc::Status& status);
std::string ErrorMetadataOf(const grpc::Status& status, const std::string& key);
std::optional<absl::Duration> RetryDelayOf(const grpc::Status& status);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_
