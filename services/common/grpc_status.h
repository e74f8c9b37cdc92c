// The one place where absl::Status becomes grpc::Status.
#ifndef PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_
#define PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/status.h"

namespace plaudit {

// Same code, message capped at 1 KiB so a huge input never echoes back
// whole; the details (a google.rpc.Status) hold the error's reason as a
// google.rpc.ErrorInfo and, when it has one, its retry delay as a
// google.rpc.RetryInfo.
grpc::Status ToGrpcStatus(const absl::Status& status);

// What a client reads back: the ErrorInfo reason ("" for OK or a status
// without details), its metadata entry `key`, and the retry delay.
std::string ErrorReasonOf(const grpc::Status& status);
std::string ErrorMetadataOf(const grpc::Status& status, const std::string& key);
std::optional<absl::Duration> RetryDelayOf(const grpc::Status& status);

// Ends a callback-API unary call (the response is set when `status` is OK).
// May be called from any thread.
inline grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                       const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_
