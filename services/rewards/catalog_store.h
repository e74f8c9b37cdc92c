// The reward catalog in Redis. Each reward is a hash holding the serialized
// Reward and, beside it, the live fields the redeem script checks (stock
// moves with every redemption, so it is never part of a compare-and-set).
#ifndef PLAUDIT_SERVICES_REWARDS_CATALOG_STORE_H_
#define PLAUDIT_SERVICES_REWARDS_CATALOG_STORE_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "plaudit/v1/reward_service.pb.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

// A reward just before a write and as written (exact for the audit trail).
struct RewardChange {
  v1::Reward before;
  v1::Reward after;
};

class CatalogStore {
 public:
  CatalogStore(RedisClient* redis, KeySchema keys, Clock clock)
      : redis_(redis), keys_(std::move(keys)), clock_(std::move(clock)) {}

  // Rewards are validated by the caller.
  absl::StatusOr<v1::Reward> Create(v1::Reward reward);
  absl::StatusOr<v1::Reward> Get(const std::string& reward_id);
  // Every reward, archived ones included, sorted by id.
  absl::StatusOr<std::vector<v1::Reward>> List();
  // Applies `mask` paths of `patch` (all fields when empty; stock only when
  // named or, without a mask, present); `validate` checks the result.
  absl::StatusOr<RewardChange> Update(
      const v1::Reward& patch, const google::protobuf::FieldMask& mask,
      const std::function<absl::Status(const v1::Reward&)>& validate);
  // Archived rewards cannot be redeemed or changed; kept for history.
  absl::StatusOr<v1::Reward> Archive(const std::string& reward_id);

 private:
  struct Stored {
    v1::Reward reward;
    std::string version;
  };
  absl::StatusOr<Stored> Read(const std::string& reward_id);
  // Returns false on a version conflict.
  absl::StatusOr<bool> Write(const v1::Reward& reward, const std::string& version,
                             bool write_stock);

  RedisClient* redis_;
  const KeySchema keys_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_REWARDS_CATALOG_STORE_H_
