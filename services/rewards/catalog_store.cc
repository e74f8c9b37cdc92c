#include "services/rewards/catalog_store.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/error_reason.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"

namespace plaudit {
namespace {

using google::protobuf::util::FieldMaskUtil;

constexpr int kMaxConflictRetries = 5;

absl::Status NotFound(const std::string& reward_id) {
  return WithReason(
      absl::NotFoundError(absl::StrCat("reward ", reward_id, " not found")),
      "REWARD_NOT_FOUND");
}

// A reward hash (HGETALL pairs) as a Reward; live fields win over data.
absl::StatusOr<v1::Reward> FromHash(const std::vector<RedisValue>& pairs,
                                    std::string* version) {
  std::map<std::string, std::string> fields;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    fields[pairs[i].str] = pairs[i + 1].str;
  }
  v1::Reward reward;
  if (!reward.ParseFromString(fields["data"])) {
    return absl::DataLossError("stored reward is not a Reward message");
  }
  int64_t stock = -1;
  if (absl::SimpleAtoi(fields["stock"], &stock) && stock >= 0) {
    reward.set_stock(stock);
  } else {
    reward.clear_stock();
  }
  reward.set_active(fields["active"] == "1");
  reward.set_archived(fields["archived"] == "1");
  if (version != nullptr) *version = fields["version"];
  return reward;
}

}  // namespace

absl::StatusOr<CatalogStore::Stored> CatalogStore::Read(
    const std::string& reward_id) {
  absl::StatusOr<RedisValue> reply =
      redis_->Run({"HGETALL", keys_.Reward(reward_id)});
  if (!reply.ok()) return reply.status();
  if (reply->elements.empty()) return NotFound(reward_id);
  Stored stored;
  absl::StatusOr<v1::Reward> reward = FromHash(reply->elements, &stored.version);
  if (!reward.ok()) return reward.status();
  stored.reward = *std::move(reward);
  return stored;
}

absl::StatusOr<bool> CatalogStore::Write(const v1::Reward& reward,
                                         const std::string& version,
                                         bool write_stock) {
  v1::Reward data = reward;
  data.clear_stock();  // live in its own field
  const auto& limit = reward.per_user_limit();
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_,
      {&RewardWriteScript(),
       {keys_.Reward(reward.reward_id()), keys_.Catalog()},
       {version.empty() ? "create" : "update", version, reward.reward_id(),
        data.SerializeAsString(), absl::StrCat(reward.cost()),
        !reward.has_active() || reward.active() ? "1" : "0",
        reward.archived() ? "1" : "0", reward.group(),
        reward.requires_approval() ? "1" : "0",
        absl::StrCat(reward.has_per_user_limit() ? limit.max_quantity() : 0),
        v1::Period_Name(limit.period()),
        reward.title(),
        write_stock ? absl::StrCat(reward.has_stock() ? reward.stock() : -1)
                    : ""}});
  if (!reply.ok()) return reply.status();
  const std::string& status = reply->elements.at(0).str;
  if (status == "EXISTS") {
    return absl::AlreadyExistsError(
        absl::StrCat("reward ", reward.reward_id(), " already exists"));
  }
  if (status == "NOT_FOUND") return NotFound(reward.reward_id());
  return status == "OK";
}

absl::StatusOr<v1::Reward> CatalogStore::Create(v1::Reward reward) {
  if (!reward.has_active()) reward.set_active(true);
  reward.set_archived(false);
  *reward.mutable_update_time() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
          absl::ToUnixMillis(clock_()));
  absl::StatusOr<bool> written = Write(reward, "", /*write_stock=*/true);
  if (!written.ok()) return written.status();
  return reward;
}

absl::StatusOr<v1::Reward> CatalogStore::Get(const std::string& reward_id) {
  absl::StatusOr<Stored> stored = Read(reward_id);
  if (!stored.ok()) return stored.status();
  return stored->reward;
}

absl::StatusOr<std::vector<v1::Reward>> CatalogStore::List() {
  absl::StatusOr<RedisValue> ids = redis_->Run({"SMEMBERS", keys_.Catalog()});
  if (!ids.ok()) return ids.status();
  std::vector<RedisCommand> reads;
  for (const RedisValue& id : ids->elements) {
    reads.push_back({"HGETALL", keys_.Reward(id.str)});
  }
  absl::StatusOr<std::vector<RedisValue>> hashes = redis_->RunPipeline(reads);
  if (!hashes.ok()) return hashes.status();
  std::vector<v1::Reward> rewards;
  for (const RedisValue& hash : *hashes) {
    if (hash.is_error()) return RedisErrorStatus(hash.str);
    if (hash.elements.empty()) continue;
    absl::StatusOr<v1::Reward> reward = FromHash(hash.elements, nullptr);
    if (!reward.ok()) return reward.status();
    rewards.push_back(*std::move(reward));
  }
  std::sort(rewards.begin(), rewards.end(),
            [](const v1::Reward& a, const v1::Reward& b) {
              return a.reward_id() < b.reward_id();
            });
  return rewards;
}

absl::StatusOr<RewardChange> CatalogStore::Update(
    const v1::Reward& patch, const google::protobuf::FieldMask& mask,
    const std::function<absl::Status(const v1::Reward&)>& validate) {
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    absl::StatusOr<Stored> stored = Read(patch.reward_id());
    if (!stored.ok()) return stored.status();
    if (stored->reward.archived()) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat(
                            "reward ", patch.reward_id(),
                            " is archived and cannot change")),
                        "REWARD_ARCHIVED");
    }
    v1::Reward after = stored->reward;
    bool write_stock = false;
    if (mask.paths().empty()) {
      after = patch;
      write_stock = patch.has_stock();
      if (!write_stock && stored->reward.has_stock()) {
        after.set_stock(stored->reward.stock());
      }
    } else {
      FieldMaskUtil::MergeOptions options;
      options.set_replace_message_fields(true);
      FieldMaskUtil::MergeMessageTo(patch, mask, options, &after);
      write_stock = std::count(mask.paths().begin(), mask.paths().end(), "stock");
    }
    after.set_reward_id(stored->reward.reward_id());
    after.set_archived(false);
    if (!after.has_active()) after.set_active(true);
    *after.mutable_update_time() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
            absl::ToUnixMillis(clock_()));
    if (auto s = validate(after); !s.ok()) return s;
    absl::StatusOr<bool> written = Write(after, stored->version, write_stock);
    if (!written.ok()) return written.status();
    if (*written) return RewardChange{std::move(stored->reward), std::move(after)};
  }
  return absl::AbortedError(absl::StrCat(
      "reward ", patch.reward_id(), " kept changing concurrently; try again"));
}

absl::StatusOr<v1::Reward> CatalogStore::Archive(const std::string& reward_id) {
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    absl::StatusOr<Stored> stored = Read(reward_id);
    if (!stored.ok()) return stored.status();
    if (stored->reward.archived()) return stored->reward;  // already
    v1::Reward archived = stored->reward;
    archived.set_archived(true);
    archived.set_active(false);
    absl::StatusOr<bool> written = Write(archived, stored->version, false);
    if (!written.ok()) return written.status();
    if (*written) return archived;
  }
  return absl::AbortedError(absl::StrCat(
      "reward ", reward_id, " kept changing concurrently; try again"));
}

}  // namespace plaudit
