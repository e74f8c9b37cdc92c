#include "services/users/user_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/error_reason.h"
#include "services/common/validation.h"

namespace plaudit {

absl::Status ValidateUser(const v1::User& user, absl::string_view field) {
  if (auto s = ValidateId(absl::StrCat(field, ".user_id"), user.user_id());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateText(absl::StrCat(field, ".display_name"),
                            user.display_name(), 256);
      !s.ok()) {
    return s;
  }
  if (user.groups_size() > kMaxGroupsPerUser) {
    return InvalidField(absl::StrCat(field, ".groups"),
                        absl::StrCat("at most ", kMaxGroupsPerUser, " groups"));
  }
  for (int i = 0; i < user.groups_size(); ++i) {
    if (auto s = ValidateGroup(absl::StrCat(field, ".groups[", i, "]"),
                               user.groups(i));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status UserStore::Upsert(const std::vector<const v1::User*>& users) {
  std::vector<RedisCommand> commands;
  commands.reserve(2 * users.size());
  for (const v1::User* user : users) {
    const std::set<std::string> groups(user->groups().begin(),
                                       user->groups().end());
    commands.push_back({"HSET", keys_.User(user->user_id()), "groups",
                        absl::StrJoin(groups, " ")});
    commands.push_back(
        {"HSET", keys_.Names(), user->user_id(), user->display_name()});
    if (!groups.empty()) {
      RedisCommand known = {"SADD", keys_.Groups()};
      known.insert(known.end(), groups.begin(), groups.end());
      commands.push_back(std::move(known));
    }
  }
  absl::StatusOr<std::vector<RedisValue>> replies =
      redis_->RunPipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const RedisValue& reply : *replies) {
    if (reply.is_error()) return RedisErrorStatus(reply.str);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::User> UserStore::Get(const std::string& user_id) {
  absl::StatusOr<std::vector<RedisValue>> replies = redis_->RunPipeline(
      {{"HMGET", keys_.User(user_id), "groups", "hidden"},
       {"HGET", keys_.Names(), user_id}});
  if (!replies.ok()) return replies.status();
  for (const RedisValue& reply : *replies) {
    if (reply.is_error()) return RedisErrorStatus(reply.str);
  }
  const RedisValue& groups = (*replies)[0].elements.at(0);
  if (groups.is_nil()) {
    return WithReason(
        absl::NotFoundError(absl::StrCat("user ", user_id, " not found")),
        "USER_NOT_FOUND");
  }
  v1::User user;
  user.set_user_id(user_id);
  user.set_display_name((*replies)[1].str);
  user.set_hidden((*replies)[0].elements.at(1).str == "1");
  for (absl::string_view group :
       absl::StrSplit(groups.str, ' ', absl::SkipEmpty())) {
    user.add_groups(std::string(group));
  }
  return user;
}

}  // namespace plaudit
