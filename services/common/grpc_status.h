// The one place where absl::Status becomes grpc::Status.
#ifndef PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_
#define PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace plaudit {

// Same code, message capped at 1 KiB so a huge input never echoes back whole.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_GRPC_STATUS_H_
