// The one place where absl::Status becomes grpc::Status.
#ifndef PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_
#define PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/status.h"

namespace plaudit {

// Same code, message capped at 1 KiB so a huge input never echoes back whole.
grpc::Status ToGrpcStatus(const absl::Status& status);

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
