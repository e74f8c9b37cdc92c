// The errors about people that several areas give (accounts, rewards,
// users): one wording and one reason each.
#ifndef PLAUDIT_SERVICES_USERS_USER_ERRORS_H_
#define PLAUDIT_SERVICES_USERS_USER_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/error_reason.h"

namespace plaudit {

inline absl::Status UserNotFound(const std::string& user_id) {
  return WithReason(absl::NotFoundError(absl::StrCat(
                        "user ", user_id, " not found; sync it first")),
                    "USER_NOT_FOUND", {{"field", "user_id"}});
}

inline absl::Status UserDeactivated(const std::string& user_id) {
  return WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          "user ", user_id, " is deactivated: reactivate them first")),
      "USER_DEACTIVATED", {{"field", "user_id"}});
}

inline absl::Status NotManager(const std::string& manager,
                               const std::string& user_id) {
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          manager, " (plaudit-actor) is not a manager of ", user_id,
          ": a manager may act only for their own reports")),
      "NOT_MANAGER", {{"field", "user_id"}});
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_USERS_USER_ERRORS_H_
