#include "services/auth/key_store.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/error_reason.h"
#include "services/store/keys.h"

namespace plaudit {
namespace {

std::string KeyOf(const std::string& tenant, const std::string& key_id) {
  return KeySchema(tenant).ApiKey(key_id);
}

std::string RevokedMarkOf(const std::string& tenant,
                          const std::string& key_id) {
  return KeySchema(tenant).RevokedApiKey(key_id);
}

std::string IndexOf(const std::string& tenant) {
  return KeySchema(tenant).ApiKeys();
}

v1::ApiKey Public(v1::ApiKey key) {
  key.clear_salt();
  key.clear_secret_sha256();
  return key;
}

}  // namespace

absl::StatusOr<NewKey> KeyStore::Issue(const std::string& tenant, v1::Role role,
                                       const std::string& name,
                                       absl::Time now) {
  NewKey key = GenerateKey(tenant, role, name);
  *key.record.mutable_create_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
          absl::ToUnixMillis(now));
  if (auto s = Save(key.record); !s.ok()) return s;
  key.record.clear_salt();
  key.record.clear_secret_sha256();
  return key;
}

KeyStore::KeyStore(RedisClient* redis, const v1::KeyFile& file)
    : redis_(redis) {
  for (const v1::ApiKey& key : file.keys()) {
    file_keys_[absl::StrCat(key.tenant(), ".", key.key_id())] = key;
  }
}

absl::StatusOr<std::optional<v1::ApiKey>> KeyStore::Find(
    const std::string& tenant, const std::string& key_id) {
  const auto it = file_keys_.find(absl::StrCat(tenant, ".", key_id));
  if (it != file_keys_.end()) {
    absl::StatusOr<RedisValue> mark =
        redis_->Run({"EXISTS", RevokedMarkOf(tenant, key_id)});
    if (!mark.ok()) return mark.status();
    v1::ApiKey key = it->second;
    if (mark->integer == 1) key.set_revoked(true);
    return key;
  }
  absl::StatusOr<RedisValue> reply =
      redis_->Run({"GET", KeyOf(tenant, key_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::nullopt;
  v1::ApiKey key;
  if (!key.ParseFromString(reply->str)) {
    return absl::DataLossError("stored API key is not an ApiKey message");
  }
  return key;
}

absl::Status KeyStore::Save(const v1::ApiKey& key) {
  absl::StatusOr<std::vector<RedisValue>> replies = redis_->RunPipeline(
      {{"SET", KeyOf(key.tenant(), key.key_id()), key.SerializeAsString()},
       {"SADD", IndexOf(key.tenant()), key.key_id()}});
  if (!replies.ok()) return replies.status();
  for (const RedisValue& reply : *replies) {
    if (reply.is_error()) return RedisErrorStatus(reply.str);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ApiKey> KeyStore::Revoke(const std::string& tenant,
                                            const std::string& key_id) {
  absl::StatusOr<std::optional<v1::ApiKey>> key = Find(tenant, key_id);
  if (!key.ok()) return key.status();
  if (!key->has_value()) {
    return WithReason(
        absl::NotFoundError(absl::StrCat("key ", key_id, " not found")),
        "KEY_NOT_FOUND");
  }
  v1::ApiKey revoked = **key;
  revoked.set_revoked(true);
  if (file_keys_.contains(absl::StrCat(tenant, ".", key_id))) {
    absl::StatusOr<RedisValue> marked =
        redis_->Run({"SET", RevokedMarkOf(tenant, key_id), "1"});
    if (!marked.ok()) return marked.status();
  } else if (auto s = Save(revoked); !s.ok()) {
    return s;
  }
  ++revocations_;
  return Public(revoked);
}

absl::StatusOr<std::vector<v1::ApiKey>> KeyStore::List(
    const std::string& tenant) {
  std::vector<v1::ApiKey> keys;
  for (const auto& [id, key] : file_keys_) {
    if (key.tenant() == tenant) keys.push_back(Public(key));
  }
  absl::StatusOr<RedisValue> ids = redis_->Run({"SMEMBERS", IndexOf(tenant)});
  if (!ids.ok()) return ids.status();
  for (const RedisValue& id : ids->elements) {
    absl::StatusOr<std::optional<v1::ApiKey>> key = Find(tenant, id.str);
    if (!key.ok()) return key.status();
    if (key->has_value()) keys.push_back(Public(**key));
  }
  return keys;
}

}  // namespace plaudit
