// Users in Redis: one hash per user (groups, manager, hidden, left,
// erased), their names in one hash, each manager's reports in a set. Every
// change that moves points or boards (deactivation, reactivation, erasure)
// is one script.
#ifndef PLAUDIT_SERVICES_USERS_USER_STORE_H_
#define PLAUDIT_SERVICES_USERS_USER_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/user_service.pb.h"
#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"
#include "services/store/scripts.h"

namespace plaudit {

inline constexpr int kMaxGroupsPerUser = 32;
inline constexpr int kMaxUsersPerImport = 10'000;

// INVALID_ARGUMENT naming "<field>.<part>" for the first problem.
absl::Status ValidateUser(const v1::User& user, absl::string_view field);

struct Departure {
  std::string user_id;
  v1::BoardPolicy boards = v1::LEAVE_ALL_BOARDS;
  v1::BalancePolicy balance = v1::KEEP_BALANCE;  // never UNSPECIFIED here
  std::string reason;
};

class UserStore {
 public:
  UserStore(RedisClient* redis, KeySchema keys, const CalendarSource* calendar,
            Clock clock)
      : redis_(redis),
        keys_(std::move(keys)),
        calendar_(calendar),
        clock_(std::move(clock)) {}

  // Users must be validated; all are written or none. Groups are stored
  // sorted and deduplicated. `field(i)` names users[i] in errors ("user",
  // "users[3]").
  absl::Status Upsert(const std::vector<const v1::User*>& users,
                      const std::function<std::string(int)>& field);
  absl::StatusOr<v1::User> Get(const std::string& user_id);

  absl::StatusOr<v1::DeactivateUserResponse> Deactivate(const Departure& d);
  absl::StatusOr<v1::ReactivateUserResponse> Reactivate(
      const std::string& user_id);
  absl::StatusOr<v1::EraseUserResponse> Erase(const std::string& user_id);

 private:
  // Runs `script` (ARGV: prefix, user, now_ms, buckets) about one user over
  // every bucket that may hold their scores; the script's reply.
  absl::StatusOr<std::vector<RedisValue>> OnEveryBoard(
      const LuaScript& script, const std::string& user_id);

  RedisClient* redis_;
  const KeySchema keys_;
  const CalendarSource* calendar_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_USERS_USER_STORE_H_
