#include "services/analytics/engagement_store.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/leaderboards/board_request.h"
#include "services/store/scripts.h"
#include "services/users/user_errors.h"

namespace plaudit {
namespace {

constexpr int kCommandsPerBucket = 4;

}  // namespace

absl::StatusOr<std::vector<v1::EngagementFigures>> EngagementStore::Read(
    const std::string& scope, const std::vector<std::string>& bucket_keys) {
  std::vector<RedisCommand> commands;
  commands.reserve(kCommandsPerBucket * bucket_keys.size());
  for (const std::string& bucket : bucket_keys) {
    commands.push_back({"HGETALL", keys_.Stats(bucket, scope)});
    commands.push_back({"PFCOUNT", keys_.ActiveUsers(bucket, scope)});
    commands.push_back({"ZCARD", keys_.Board(bucket, scope)});
    commands.push_back({"ZCARD", keys_.Board(bucket, scope, /*hidden=*/true)});
  }
  commands.push_back({"SISMEMBER", keys_.Groups(), scope});
  absl::StatusOr<std::vector<RedisValue>> replies =
      redis_->RunPipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const RedisValue& reply : *replies) {
    if (reply.is_error()) return RedisErrorStatus(reply.str);
  }
  if (scope != "global" && replies->back().integer == 0) {
    return UnknownScope(scope);
  }
  std::vector<v1::EngagementFigures> figures(bucket_keys.size());
  for (size_t b = 0; b < bucket_keys.size(); ++b) {
    const RedisValue* r = &(*replies)[kCommandsPerBucket * b];
    v1::EngagementFigures& f = figures[b];
    const auto& fields = r[0].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      const std::string& name = fields[i].str;
      const int64_t value = ParseInteger(fields[i + 1].str);
      // Events are the sum of events:<action> ("events", written before
      // 2026-12 alongside, is no longer kept up to date).
      if (name == "points") {
        f.set_points_awarded(value);
      } else if (name == "redeemed") {
        f.set_points_redeemed(value);
      } else if (absl::StartsWith(name, "events:")) {
        (*f.mutable_events_by_action())[name.substr(7)] = value;
        f.set_events(f.events() + value);
      }
    }
    f.set_active_users(r[1].integer);
    f.set_participants(r[2].integer + r[3].integer);
  }
  return figures;
}

absl::StatusOr<EngagementStore::TeamRead> EngagementStore::Team(
    const std::string& manager, const std::string& actor,
    const std::string& bucket_key, bool include_indirect) {
  constexpr int kMaxMembers = 5000;
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_, {&TeamFiguresScript(),
                {keys_.Names()},
                {keys_.prefix(), manager, actor, bucket_key,
                 include_indirect ? "1" : "0", absl::StrCat(kMaxMembers)}});
  if (!reply.ok()) return reply.status();
  const std::vector<RedisValue>& values = reply->elements;
  const std::string& status = values.at(0).str;
  if (status == "NOT_FOUND") return UserNotFound(manager);
  if (status == "NOT_MANAGER") return NotManager(actor, manager);
  TeamRead team;
  team.truncated = values.at(1).integer == 1;
  for (size_t i = 2; i + 3 < values.size(); i += 4) {
    v1::TeamMember& member = team.members.emplace_back();
    member.set_user_id(values[i].str);
    member.set_direct(values[i + 1].str == "1");
    member.set_points(ParseInteger(values[i + 2].str));
    member.set_display_name(values[i + 3].str);
  }
  return team;
}

}  // namespace plaudit
