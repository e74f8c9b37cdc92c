#include "services/users/user_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

// A response as the audit trail keeps it: never the user's display name,
// which an erasure must be able to remove from everywhere.
template <typename Response>
Response ForAudit(Response response) {
  response.mutable_user()->clear_display_name();
  return response;
}

}  // namespace

UserService::UserService(ForTenant<UserStore> stores,
                         ForTenant<ConfigCache> configs, CallGate gate,
                         AuditLog* audit)
    : RpcService(v1::UserService::service_full_name(), gate),
      stores_(std::move(stores)),
      configs_(std::move(configs)),
      audit_(audit) {
  Handle("UpsertUser", &UserService::UpsertUser);
  Handle("GetUser", &UserService::GetUser);
  Handle("ImportUsers", &UserService::ImportUsers);
  Handle("DeactivateUser", &UserService::DeactivateUser);
  Handle("ReactivateUser", &UserService::ReactivateUser);
  Handle("EraseUser", &UserService::EraseUser);
}

absl::Status UserService::UpsertUser(const Caller& caller,
                                     const v1::UpsertUserRequest& request,
                                     v1::UpsertUserResponse* response) {
  if (auto s = ValidateUser(request.user(), "user"); !s.ok()) return s;
  UserStore& store = stores_(caller.tenant);
  if (auto s = store.Upsert({&request.user()}, [](int) { return "user"; });
      !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::User> stored = store.Get(request.user().user_id());
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
  auto field = [](int i) { return absl::StrCat("users[", i, "]"); };
  std::vector<const v1::User*> users;
  users.reserve(request.users_size());
  for (int i = 0; i < request.users_size(); ++i) {
    if (auto s = ValidateUser(request.users(i), field(i)); !s.ok()) return s;
    users.push_back(&request.users(i));
  }
  if (auto s = stores_(caller.tenant).Upsert(users, field); !s.ok()) return s;
  response->set_imported_count(request.users_size());
  return absl::OkStatus();
}

absl::Status UserService::DeactivateUser(
    const Caller& caller, const v1::DeactivateUserRequest& request,
    v1::DeactivateUserResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  if (!v1::BoardPolicy_IsValid(request.boards())) {
    return InvalidField("boards",
                        "must be LEAVE_ALL_BOARDS or KEEP_PAST_PLACES");
  }
  if (!v1::BalancePolicy_IsValid(request.balance())) {
    return InvalidField(
        "balance", "must be KEEP_BALANCE, PAY_OUT_BALANCE or FORFEIT_BALANCE");
  }
  if (request.reason().empty()) return InvalidField("reason", "is required");
  if (auto s = ValidateText("reason", request.reason(), 512); !s.ok()) return s;
  Departure departure{request.user_id(), request.boards(), request.balance(),
                      request.reason()};
  if (departure.boards == v1::BOARD_POLICY_UNSPECIFIED) {
    departure.boards = v1::LEAVE_ALL_BOARDS;
  }
  if (departure.balance == v1::BALANCE_POLICY_UNSPECIFIED) {
    departure.balance =
        configs_(caller.tenant).Config()->settings.leaver_balance();
  }
  if (departure.balance == v1::BALANCE_POLICY_UNSPECIFIED) {
    departure.balance = v1::KEEP_BALANCE;
  }
  UserStore& store = stores_(caller.tenant);
  absl::StatusOr<v1::DeactivateUserResponse> result =
      store.Deactivate(departure);
  if (!result.ok()) return result.status();
  absl::StatusOr<v1::User> user = store.Get(request.user_id());
  if (!user.ok()) return user.status();
  *result->mutable_user() = *std::move(user);
  const v1::DeactivateUserResponse audited = ForAudit(*result);
  audit_->Record(caller, "USER_DEACTIVATED", request.user_id(), nullptr,
                 &audited);
  *response = *std::move(result);
  return absl::OkStatus();
}

absl::Status UserService::ReactivateUser(
    const Caller& caller, const v1::ReactivateUserRequest& request,
    v1::ReactivateUserResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  UserStore& store = stores_(caller.tenant);
  absl::StatusOr<v1::ReactivateUserResponse> result =
      store.Reactivate(request.user_id());
  if (!result.ok()) return result.status();
  absl::StatusOr<v1::User> user = store.Get(request.user_id());
  if (!user.ok()) return user.status();
  *result->mutable_user() = *std::move(user);
  const v1::ReactivateUserResponse audited = ForAudit(*result);
  audit_->Record(caller, "USER_REACTIVATED", request.user_id(), nullptr,
                 &audited);
  *response = *std::move(result);
  return absl::OkStatus();
}

absl::Status UserService::EraseUser(const Caller& caller,
                                    const v1::EraseUserRequest& request,
                                    v1::EraseUserResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  absl::StatusOr<v1::EraseUserResponse> report =
      stores_(caller.tenant).Erase(request.user_id());
  if (!report.ok()) return report.status();
  if (!report->already_erased()) {
    audit_->Record(caller, "USER_ERASED", request.user_id(), nullptr, &*report);
  }
  *response = *std::move(report);
  return absl::OkStatus();
}

}  // namespace plaudit
