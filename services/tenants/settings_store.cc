#include "services/tenants/settings_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/error_reason.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"

namespace plaudit {
namespace {

absl::StatusOr<SettingsStore::Stored> Parse(RedisReplies replies) {
  if (!replies.ok()) return replies.status();
  const RedisValue& reply = replies->front();
  if (reply.is_error()) return RedisErrorStatus(reply.str);
  if (reply.elements.size() != 2 || reply.elements[0].is_nil()) {
    return SettingsStore::Stored();
  }
  v1::TenantSettings settings;
  int64_t version = 0;
  if (!settings.ParseFromString(reply.elements[0].str) ||
      !absl::SimpleAtoi(reply.elements[1].str, &version)) {
    return absl::InternalError("tenant settings: stored data is unreadable");
  }
  settings.set_version(version);
  return SettingsStore::Stored(std::move(settings));
}

}  // namespace

absl::StatusOr<SettingsStore::Stored> SettingsStore::Load() {
  return Parse(
      redis_->RunPipeline({{"HMGET", keys_.Settings(), "data", "version"}}));
}

void SettingsStore::LoadAsync(
    std::function<void(absl::StatusOr<Stored>)> done) {
  redis_->Send({{"HMGET", keys_.Settings(), "data", "version"}},
               [done = std::move(done)](RedisReplies replies) {
                 done(Parse(std::move(replies)));
               });
}

absl::StatusOr<v1::TenantSettings> SettingsStore::Save(
    v1::TenantSettings settings, int64_t expected) {
  settings.clear_version();
  *settings.mutable_update_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
          absl::ToUnixMillis(clock_()));
  absl::StatusOr<RedisValue> reply =
      RunScript(*redis_, {&SettingsWriteScript(),
                          {keys_.Settings()},
                          {absl::StrCat(expected), settings.SerializeAsString(),
                           absl::StrJoin(settings.scopes(), " ")}});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2) {
    return absl::InternalError("settings script: unexpected reply");
  }
  if (reply->elements[0].str != "OK") {
    return WithReason(
        absl::AbortedError(
            "settings: changed by someone else meanwhile; read them again"),
        "CONFLICT");
  }
  settings.set_version(reply->elements[1].integer);
  // Listed for ListTenants: another slot than the settings, so a command of
  // its own; repeated on every save, so a lost one heals.
  if (auto s =
          redis_
              ->Run({"SADD", KeySchema::TenantRegistry(), settings.tenant_id()})
              .status();
      !s.ok()) {
    return s;
  }
  return settings;
}

absl::StatusOr<std::vector<std::string>> SettingsStore::Registered(
    RedisClient& redis) {
  absl::StatusOr<RedisValue> members =
      redis.Run({"SMEMBERS", KeySchema::TenantRegistry()});
  if (!members.ok()) return members.status();
  std::vector<std::string> tenants;
  for (const RedisValue& member : members->elements) {
    tenants.push_back(member.str);
  }
  std::sort(tenants.begin(), tenants.end());
  return tenants;
}

}  // namespace plaudit
