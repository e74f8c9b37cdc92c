#include "services/users/user_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit {

UserService::UserService(ForTenant<UserStore> stores, CallGate gate)
    : RpcService(v1::UserService::service_full_name(), gate),
      stores_(std::move(stores)) {
  Handle("UpsertUser", &UserService::UpsertUser);
  Handle("GetUser", &UserService::GetUser);
  Handle("ImportUsers", &UserService::ImportUsers);
}

absl::Status UserService::UpsertUser(const Caller& caller,
                                     const v1::UpsertUserRequest& request,
                                     v1::UpsertUserResponse* response) {
  if (auto s = ValidateUser(request.user(), "user"); !s.ok()) return s;
  if (auto s = stores_(caller.tenant).Upsert({&request.user()}); !s.ok())
    return s;
  absl::StatusOr<v1::User> stored =
      stores_(caller.tenant).Get(request.user().user_id());
  if (!stored.ok()) return stored.status();
  *response->mutable_user() = *std::move(stored);
  return absl::OkStatus();
}

absl::Status UserService::GetUser(const Caller& caller,
                                  const v1::GetUserRequest& request,
                                  v1::GetUserResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  absl::StatusOr<v1::User> user = stores_(caller.tenant).Get(request.user_id());
  if (!user.ok()) return user.status();
  *response->mutable_user() = *std::move(user);
  return absl::OkStatus();
}

absl::Status UserService::ImportUsers(const Caller& caller,
                                      const v1::ImportUsersRequest& request,
                                      v1::ImportUsersResponse* response) {
  if (request.users_size() == 0 || request.users_size() > kMaxUsersPerImport) {
    return InvalidField("users",
                        absl::StrCat("must hold 1 to ", kMaxUsersPerImport,
                                     " users, got ", request.users_size()));
  }
  std::vector<const v1::User*> users;
  users.reserve(request.users_size());
  for (int i = 0; i < request.users_size(); ++i) {
    if (auto s = ValidateUser(request.users(i), absl::StrCat("users[", i, "]"));
        !s.ok()) {
      return s;
    }
    users.push_back(&request.users(i));
  }
  if (auto s = stores_(caller.tenant).Upsert(users); !s.ok()) return s;
  response->set_imported_count(request.users_size());
  return absl::OkStatus();
}

}  // namespace plaudit
