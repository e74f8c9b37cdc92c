// Users and their groups in Redis: one hash per user (name, groups), which
// the award script reads for group-restricted rules.
#ifndef PLAUDIT_SERVICES_USERS_USER_STORE_H_
#define PLAUDIT_SERVICES_USERS_USER_STORE_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/user_service.pb.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

inline constexpr int kMaxGroupsPerUser = 32;
inline constexpr int kMaxUsersPerImport = 10'000;

// INVALID_ARGUMENT naming "<field>.<part>" for the first problem.
absl::Status ValidateUser(const v1::User& user, absl::string_view field);

class UserStore {
 public:
  UserStore(RedisClient* redis, KeySchema keys)
      : redis_(redis), keys_(std::move(keys)) {}

  // Users must be validated. Groups are stored sorted and deduplicated.
  absl::Status Upsert(const std::vector<const v1::User*>& users);
  absl::StatusOr<v1::User> Get(const std::string& user_id);

 private:
  RedisClient* redis_;
  const KeySchema keys_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_USERS_USER_STORE_H_
