// UserService: the org structure portals sync, and people leaving (thin
// adapter over UserStore).
#ifndef PLAUDIT_SERVICES_USERS_USER_SERVICE_H_
#define PLAUDIT_SERVICES_USERS_USER_SERVICE_H_

#include "plaudit/v1/user_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/rpc/rpc_service.h"
#include "services/tenants/config_cache.h"
#include "services/users/user_store.h"

namespace plaudit {

class UserService final : public RpcService {
 public:
  UserService(ForTenant<UserStore> stores, ForTenant<ConfigCache> configs,
              CallGate gate, AuditLog* audit);

  absl::Status UpsertUser(const Caller& caller,
                          const v1::UpsertUserRequest& request,
                          v1::UpsertUserResponse* response);
  absl::Status GetUser(const Caller& caller, const v1::GetUserRequest& request,
                       v1::GetUserResponse* response);
  absl::Status ImportUsers(const Caller& caller,
                           const v1::ImportUsersRequest& request,
                           v1::ImportUsersResponse* response);
  absl::Status DeactivateUser(const Caller& caller,
                              const v1::DeactivateUserRequest& request,
                              v1::DeactivateUserResponse* response);
  absl::Status ReactivateUser(const Caller& caller,
                              const v1::ReactivateUserRequest& request,
                              v1::ReactivateUserResponse* response);
  absl::Status EraseUser(const Caller& caller,
                         const v1::EraseUserRequest& request,
                         v1::EraseUserResponse* response);

 private:
  ForTenant<UserStore> stores_;
  ForTenant<ConfigCache> configs_;
  AuditLog* audit_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_USERS_USER_SERVICE_H_
