#include <algorithm>

#include "absl/strings/str_cat.h"
#include "plaudit/v1/user_service.grpc.pb.h"
#include "services/common/json_file.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"
#include "tools/plauditctl/users_csv.h"

namespace plaudit::ctl {

namespace {

constexpr int kUsersPerImportCall = 5000;

}  // namespace

absl::Status UsersImport(const Connection& c, const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<CsvUser>> users = ParseUsersCsv(*text);
  if (!users.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", users.status().message()));
  }
  int imported = 0;
  for (size_t start = 0; start < users->size(); start += kUsersPerImportCall) {
    const size_t end = std::min(users->size(), start + kUsersPerImportCall);
    v1::ImportUsersRequest request;
    for (size_t i = start; i < end; ++i) {
      *request.add_users() = (*users)[i].user;
    }
    absl::StatusOr<v1::ImportUsersResponse> response =
        Call(c, &v1::UserService::Stub::ImportUsers, request);
    if (!response.ok()) {
      return Naming(
          absl::StrCat(path, ": batch from line ", (*users)[start].line),
          response.status());
    }
    imported += response->imported_count();
  }
  *c.out << "users: " << imported << " imported\n";
  return absl::OkStatus();
}

absl::Status UsersShow(const Connection& c, const std::string& user_id) {
  v1::GetUserRequest request;
  request.set_user_id(user_id);
  absl::StatusOr<v1::GetUserResponse> response =
      Call(c, &v1::UserService::Stub::GetUser, request);
  if (!response.ok()) return response.status();
  return PrintJson(c, response->user());
}

absl::Status UsersDeactivate(const Connection& c, const std::string& user_id,
                             const std::string& balance, bool keep_past_places,
                             const std::string& reason) {
  v1::DeactivateUserRequest request;
  request.set_user_id(user_id);
  request.set_reason(reason);
  request.set_boards(keep_past_places ? v1::KEEP_PAST_PLACES
                                      : v1::LEAVE_ALL_BOARDS);
  if (balance == "keep") request.set_balance(v1::KEEP_BALANCE);
  if (balance == "pay_out") request.set_balance(v1::PAY_OUT_BALANCE);
  if (balance == "forfeit") request.set_balance(v1::FORFEIT_BALANCE);
  if (!balance.empty() && request.balance() == v1::BALANCE_POLICY_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--balance: keep, pay_out or forfeit (empty: the tenant's "
                     "leaver_balance), got ",
                     balance));
  }
  absl::StatusOr<v1::DeactivateUserResponse> response =
      Call(c, &v1::UserService::Stub::DeactivateUser, request);
  if (!response.ok()) return response.status();
  return PrintJson(c, *response);
}

absl::Status UsersReactivate(const Connection& c, const std::string& user_id) {
  v1::ReactivateUserRequest request;
  request.set_user_id(user_id);
  absl::StatusOr<v1::ReactivateUserResponse> response =
      Call(c, &v1::UserService::Stub::ReactivateUser, request);
  if (!response.ok()) return response.status();
  return PrintJson(c, *response);
}

absl::Status UsersErase(const Connection& c, const std::string& user_id) {
  v1::EraseUserRequest request;
  request.set_user_id(user_id);
  absl::StatusOr<v1::EraseUserResponse> response =
      Call(c, &v1::UserService::Stub::EraseUser, request);
  if (!response.ok()) return response.status();
  return PrintJson(c, *response);
}

}  // namespace plaudit::ctl
