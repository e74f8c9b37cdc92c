// UserService: the org structure portals sync (thin adapter).
#ifndef PLAUDIT_SERVICES_USERS_USER_SERVICE_H_
#define PLAUDIT_SERVICES_USERS_USER_SERVICE_H_

#include "services/common/call_guard.h"
#include "plaudit/v1/user_service.grpc.pb.h"
#include "services/users/user_store.h"

namespace plaudit {

class UserService final : public v1::UserService::Service {
 public:
  UserService(ForTenant<UserStore> stores, const CallGuard* guard)
      : stores_(std::move(stores)), guard_(guard) {}

  grpc::Status UpsertUser(grpc::ServerContext* context,
                          const v1::UpsertUserRequest* request,
                          v1::UpsertUserResponse* response) override;
  grpc::Status GetUser(grpc::ServerContext* context,
                       const v1::GetUserRequest* request,
                       v1::GetUserResponse* response) override;
  grpc::Status ImportUsers(grpc::ServerContext* context,
                           const v1::ImportUsersRequest* request,
                           v1::ImportUsersResponse* response) override;

 private:
  ForTenant<UserStore> stores_;
  const CallGuard* guard_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_USERS_USER_SERVICE_H_
