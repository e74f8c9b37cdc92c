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

}  // namespace plaudit::ctl
