#include "services/users/user_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/error_reason.h"
#include "services/common/validation.h"
#include "services/store/bucket_args.h"
#include "services/store/scripts.h"
#include "services/users/user_errors.h"

namespace plaudit {
namespace {

// Script replies carry Lua numbers as integers, ids as text.
int64_t Integer(const RedisValue& value) {
  return value.kind == RedisValue::Kind::kInteger ? value.integer
                                                  : ParseInteger(value.str);
}

absl::Status UserErased(const std::string& user_id, const std::string& field) {
  return WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          field, ": user ", user_id,
          " was erased and cannot come back; give the person a new id")),
      "USER_ERASED", {{"field", field}});
}

const char* BalancePolicyArg(v1::BalancePolicy policy) {
  switch (policy) {
    case v1::PAY_OUT_BALANCE:
      return "pay_out";
    case v1::FORFEIT_BALANCE:
      return "forfeit";
    default:
      return "keep";
  }
}

}  // namespace

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
  if (!user.manager_id().empty()) {
    const std::string manager = absl::StrCat(field, ".manager_id");
    if (auto s = ValidateId(manager, user.manager_id()); !s.ok()) return s;
    if (user.manager_id() == user.user_id()) {
      return WithReason(absl::InvalidArgumentError(absl::StrCat(
                            manager, ": a user cannot manage themselves")),
                        "MANAGER_LOOP", {{"field", manager}});
    }
  }
  return absl::OkStatus();
}

absl::Status UserStore::Upsert(const std::vector<const v1::User*>& users,
                               const std::function<std::string(int)>& field) {
  ScriptCall call{&UserSyncScript(),
                  {keys_.Names(), keys_.NamesVersion()},
                  {keys_.prefix(), absl::StrCat(users.size())}};
  call.args.reserve(2 + 4 * users.size());
  for (const v1::User* user : users) {
    const std::set<std::string> groups(user->groups().begin(),
                                       user->groups().end());
    call.args.insert(call.args.end(),
                     {user->user_id(), user->display_name(),
                      absl::StrJoin(groups, " "), user->manager_id()});
  }
  absl::StatusOr<RedisValue> reply = RunScript(*redis_, call);
  if (!reply.ok()) return reply.status();
  const auto& values = reply->elements;
  const std::string& status = values.at(0).str;
  if (status == "OK") return absl::OkStatus();
  const int index = static_cast<int>(Integer(values.at(1)));
  const std::string at = field(index);
  const std::string manager = absl::StrCat(at, ".manager_id");
  if (status == "ERASED") {
    return UserErased(users[index]->user_id(), absl::StrCat(at, ".user_id"));
  }
  if (status == "LOOP") {
    return WithReason(
        absl::InvalidArgumentError(absl::StrCat(
            manager,
            ": the manager chain comes back to the user: ", values.at(2).str)),
        "MANAGER_LOOP", {{"field", manager}});
  }
  return WithReason(
      absl::InvalidArgumentError(absl::StrCat(
          manager, ": the manager chain is deeper than 64 levels")),
      "MANAGER_CHAIN_TOO_DEEP", {{"field", manager}});
}

absl::StatusOr<v1::User> UserStore::Get(const std::string& user_id) {
  absl::StatusOr<std::vector<RedisValue>> replies =
      redis_->RunPipeline({{"HMGET", keys_.User(user_id), "groups", "hidden",
                            "manager", "left", "erased"},
                           {"HGET", keys_.Names(), user_id}});
  if (!replies.ok()) return replies.status();
  for (const RedisValue& reply : *replies) {
    if (reply.is_error()) return RedisErrorStatus(reply.str);
  }
  const std::vector<RedisValue>& fields = (*replies)[0].elements;
  if (fields.at(0).is_nil()) return UserNotFound(user_id);
  v1::User user;
  user.set_user_id(user_id);
  user.set_display_name((*replies)[1].str);
  user.set_hidden(fields.at(1).str == "1");
  user.set_manager_id(fields.at(2).str);
  if (!fields.at(3).is_nil()) {
    user.set_deactivated(true);
    *user.mutable_deactivate_time() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
            Integer(fields.at(3)));
  }
  user.set_erased(fields.at(4).str == "1");
  for (absl::string_view group :
       absl::StrSplit(fields.at(0).str, ' ', absl::SkipEmpty())) {
    user.add_groups(std::string(group));
  }
  return user;
}

absl::StatusOr<v1::DeactivateUserResponse> UserStore::Deactivate(
    const Departure& d) {
  const absl::Time now = clock_();
  const auto calendar = calendar_->Calendar();
  ScriptCall call{
      &UserDeactivateScript(),
      {keys_.User(d.user_id)},
      {keys_.prefix(), d.user_id, absl::StrCat(absl::ToUnixMillis(now)),
       BalancePolicyArg(d.balance), d.reason}};
  // Keeping past places leaves only the boards of the buckets now running.
  AppendBucketArgs(d.boards == v1::KEEP_PAST_PLACES
                       ? calendar->BucketsAt(now, now)
                       : calendar->RetainedBuckets(now, absl::Hours(24)),
                   &call.args);
  absl::StatusOr<RedisValue> reply = RunScript(*redis_, call);
  if (!reply.ok()) return reply.status();
  const auto& values = reply->elements;
  const std::string& status = values.at(0).str;
  if (status == "NOT_FOUND") return UserNotFound(d.user_id);
  if (status == "ALREADY") {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "user ", d.user_id, " is deactivated already")),
                      "ALREADY_DEACTIVATED", {{"field", "user_id"}});
  }
  v1::DeactivateUserResponse response;
  response.set_board_entries_moved(static_cast<int32_t>(Integer(values.at(1))));
  response.set_refunded_points(Integer(values.at(2)));
  response.set_settled_points(Integer(values.at(3)));
  response.set_balance(Integer(values.at(4)));
  response.set_balance_policy(d.balance);
  for (size_t i = 5; i < values.size(); ++i) {
    response.add_cancelled_redemption_ids(values[i].str);
  }
  return response;
}

absl::StatusOr<std::vector<RedisValue>> UserStore::OnEveryBoard(
    const LuaScript& script, const std::string& user_id) {
  const absl::Time now = clock_();
  ScriptCall call{
      &script,
      {keys_.User(user_id)},
      {keys_.prefix(), user_id, absl::StrCat(absl::ToUnixMillis(now))}};
  AppendBucketArgs(calendar_->Calendar()->RetainedBuckets(now, absl::Hours(24)),
                   &call.args);
  absl::StatusOr<RedisValue> reply = RunScript(*redis_, call);
  if (!reply.ok()) return reply.status();
  return std::move(reply->elements);
}

absl::StatusOr<v1::ReactivateUserResponse> UserStore::Reactivate(
    const std::string& user_id) {
  absl::StatusOr<std::vector<RedisValue>> reply =
      OnEveryBoard(UserReactivateScript(), user_id);
  if (!reply.ok()) return reply.status();
  const std::vector<RedisValue>& values = *reply;
  const std::string& status = values.at(0).str;
  if (status == "NOT_FOUND") return UserNotFound(user_id);
  if (status == "ERASED") return UserErased(user_id, "user_id");
  if (status == "NOT_LEFT") {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "user ", user_id, " is not deactivated")),
                      "NOT_DEACTIVATED", {{"field", "user_id"}});
  }
  v1::ReactivateUserResponse response;
  response.set_board_entries_restored(
      static_cast<int32_t>(Integer(values.at(1))));
  return response;
}

absl::StatusOr<v1::EraseUserResponse> UserStore::Erase(
    const std::string& user_id) {
  absl::StatusOr<std::vector<RedisValue>> reply =
      OnEveryBoard(UserEraseScript(), user_id);
  if (!reply.ok()) return reply.status();
  const std::vector<RedisValue>& values = *reply;
  const std::string& status = values.at(0).str;
  if (status == "NOT_FOUND") return UserNotFound(user_id);
  if (status == "ACTIVE") {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "user ", user_id,
            " is active: deactivate them first (DeactivateUser), choosing "
            "what happens to their balance")),
        "USER_ACTIVE", {{"field", "user_id"}});
  }
  v1::EraseUserResponse report;
  report.set_user_id(user_id);
  if (status == "ALREADY") {
    report.set_already_erased(true);
    return report;
  }
  report.set_display_name_erased(Integer(values.at(1)) == 1);
  report.set_ledger_texts_erased(static_cast<int32_t>(Integer(values.at(2))));
  report.set_redemption_texts_erased(
      static_cast<int32_t>(Integer(values.at(3))));
  report.set_board_entries_erased(static_cast<int32_t>(Integer(values.at(4))));
  report.set_groups_erased(static_cast<int32_t>(Integer(values.at(5))));
  report.set_manager_erased(Integer(values.at(6)) == 1);
  report.set_reports_unlinked(static_cast<int32_t>(Integer(values.at(7))));
  report.set_notifications_erased(
      static_cast<int32_t>(Integer(values.at(8))));
  return report;
}

}  // namespace plaudit
