#include "services/users/user_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit {

grpc::Status UserService::UpsertUser(grpc::ServerContext* context,
                                     const v1::UpsertUserRequest* request,
                                     v1::UpsertUserResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "UserService/UpsertUser");
  if (auto s = ValidateUser(request->user(), "user"); !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (auto s = stores_(caller.tenant).Upsert({&request->user()}); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::User> stored = stores_(caller.tenant).Get(request->user().user_id());
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  *response->mutable_user() = *std::move(stored);
  return grpc::Status::OK;
}

grpc::Status UserService::GetUser(grpc::ServerContext* context,
                                  const v1::GetUserRequest* request,
                                  v1::GetUserResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "UserService/GetUser");
  if (auto s = ValidateId("user_id", request->user_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::User> user = stores_(caller.tenant).Get(request->user_id());
  if (!user.ok()) return ToGrpcStatus(user.status());
  *response->mutable_user() = *std::move(user);
  return grpc::Status::OK;
}

grpc::Status UserService::ImportUsers(grpc::ServerContext* context,
                                      const v1::ImportUsersRequest* request,
                                      v1::ImportUsersResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "UserService/ImportUsers");
  if (request->users_size() == 0 ||
      request->users_size() > kMaxUsersPerImport) {
    return ToGrpcStatus(InvalidField(
        "users", absl::StrCat("must hold 1 to ", kMaxUsersPerImport,
                              " users, got ", request->users_size())));
  }
  std::vector<const v1::User*> users;
  users.reserve(request->users_size());
  for (int i = 0; i < request->users_size(); ++i) {
    if (auto s = ValidateUser(request->users(i), absl::StrCat("users[", i, "]"));
        !s.ok()) {
      return ToGrpcStatus(s);
    }
    users.push_back(&request->users(i));
  }
  if (auto s = stores_(caller.tenant).Upsert(users); !s.ok()) return ToGrpcStatus(s);
  response->set_imported_count(request->users_size());
  return grpc::Status::OK;
}

}  // namespace plaudit
