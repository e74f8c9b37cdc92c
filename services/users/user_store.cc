#include "services/users/user_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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
  commands.reserve(users.size());
  for (const v1::User* user : users) {
    const std::set<std::string> groups(user->groups().begin(),
                                       user->groups().end());
    commands.push_back({"HSET", keys_.User(user->user_id()), "name",
                        user->display_name(), "groups",
                        absl::StrJoin(groups, " ")});
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
  absl::StatusOr<RedisValue> reply =
      redis_->Run({"HMGET", keys_.User(user_id), "name", "groups", "hidden"});
  if (!reply.ok()) return reply.status();
  const RedisValue& name = reply->elements.at(0);
  const RedisValue& groups = reply->elements.at(1);
  if (name.is_nil() && groups.is_nil()) {
    return absl::NotFoundError(absl::StrCat("user ", user_id, " not found"));
  }
  v1::User user;
  user.set_user_id(user_id);
  user.set_display_name(name.str);
  user.set_hidden(reply->elements.at(2).str == "1");
  for (absl::string_view group :
       absl::StrSplit(groups.str, ' ', absl::SkipEmpty())) {
    user.add_groups(std::string(group));
  }
  return user;
}

}  // namespace plaudit
