// users.csv for `plauditctl users import`: a header line naming the
// columns, user_id first, then any of display_name, groups, manager_id
// ("user_id,display_name,groups,manager_id"), then one user per line; groups
// separated by spaces; fields may be double-quoted ("Smith, Ann"), "" is a
// literal quote.
#ifndef PLAUDIT_TOOLS_PLAUDITCTL_USERS_CSV_H_
#define PLAUDIT_TOOLS_PLAUDITCTL_USERS_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/user_service.pb.h"

namespace plaudit {

struct CsvUser {
  int line = 0;  // 1-based line in the file, for error messages
  v1::User user;
};

absl::StatusOr<std::vector<CsvUser>> ParseUsersCsv(absl::string_view text);

}  // namespace plaudit

#endif  // PLAUDIT_TOOLS_PLAUDITCTL_USERS_CSV_H_
