// Who is calling, for which tenant, and may they call this method. Every
// handler asks the one CallGuard first (gRPC C++ server interceptors cannot
// refuse a call — grpc/grpc#24017 — so the decision is made here, in one
// place, from one method table).
#ifndef PLAUDIT_SERVICES_COMMON_CALL_GUARD_H_
#define PLAUDIT_SERVICES_COMMON_CALL_GUARD_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"

namespace plaudit {

enum class Role { kReader, kIntegration, kAdmin };

struct Caller {
  std::string key_id;  // "dev" in open mode
  std::string tenant;
  Role role = Role::kReader;
};

class CallGuard {
 public:
  virtual ~CallGuard() = default;
  // `method` is "Service/Method", e.g. "EventService/RecordEvent".
  // UNAUTHENTICATED without a valid key, PERMISSION_DENIED when the key's
  // role may not call `method`.
  virtual absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                                       absl::string_view method) const = 0;
};

// Per-tenant objects (stores, caches), built on first use.
template <typename T>
using ForTenant = std::function<T&(const std::string& tenant)>;

}  // namespace plaudit

// Declares `const Caller& caller` for the call, or returns its refusal.
#define PLAUDIT_ADMIT(caller, guard, context, method)                  \
  absl::StatusOr<::plaudit::Caller> caller##_admitted =                \
      (guard)->Admit(*(context), method);                              \
  if (!caller##_admitted.ok()) {                                       \
    return ::plaudit::ToGrpcStatus(caller##_admitted.status());        \
  }                                                                    \
  const ::plaudit::Caller& caller = *caller##_admitted

// PLAUDIT_ADMIT for a callback-API unary handler: a refusal ends the call.
#define PLAUDIT_ADMIT_OR_REPLY(caller, guard, context, method)         \
  absl::StatusOr<::plaudit::Caller> caller##_admitted =                \
      (guard)->Admit(*(context), method);                              \
  if (!caller##_admitted.ok()) {                                       \
    return ::plaudit::Reply(context, caller##_admitted.status());      \
  }                                                                    \
  const ::plaudit::Caller& caller = *caller##_admitted

#endif  // PLAUDIT_SERVICES_COMMON_CALL_GUARD_H_
