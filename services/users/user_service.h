// UserService: the org structure portals sync (thin adapter).
#ifndef PLAUDIT_SERVICES_USERS_USER_SERVICE_H_
#define PLAUDIT_SERVICES_USERS_USER_SERVICE_H_

#include "plaudit/v1/user_service.grpc.pb.h"
#include "services/rpc/rpc_service.h"
#include "services/users/user_store.h"

namespace plaudit {

class UserService final : public RpcService {
 public:
  UserService(ForTenant<UserStore> stores, CallGate gate);

  absl::Status UpsertUser(const Caller& caller,
                          const v1::UpsertUserRequest& request,
                          v1::UpsertUserResponse* response);
  absl::Status GetUser(const Caller& caller, const v1::GetUserRequest& request,
                       v1::GetUserResponse* response);
  absl::Status ImportUsers(const Caller& caller,
                           const v1::ImportUsersRequest& request,
                           v1::ImportUsersResponse* response);

 private:
  ForTenant<UserStore> stores_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_USERS_USER_SERVICE_H_
