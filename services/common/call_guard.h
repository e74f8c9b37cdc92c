// Who is calling, for which tenant, and may they call this method. Every
// call is admitted by the one CallGuard first, in RpcService (gRPC C++
// server interceptors cannot refuse a call — grpc/grpc#24017 — so the
// decision is made there, in one place, from one method table).
#ifndef PLAUDIT_SERVICES_COMMON_CALL_GUARD_H_
#define PLAUDIT_SERVICES_COMMON_CALL_GUARD_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"

namespace plaudit {

enum class Role { kReader, kIntegration, kAdmin, kOperator };

struct Caller {
  std::string key_id;  // "dev" in open mode
  std::string tenant;
  Role role = Role::kReader;
  // Who the caller says is behind the call ("plaudit-actor" metadata): a
  // note beside the verified key, never an identity. Empty when not said.
  std::string actor;
  // Admitted as the manager of the users the call affects: an integration
  // key on a method managers may call (ManagerMayCall), with `actor` the
  // manager's user id. The script that acts checks that `actor` manages
  // every affected user, and refuses otherwise.
  bool as_manager = false;
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

#endif  // PLAUDIT_SERVICES_COMMON_CALL_GUARD_H_
