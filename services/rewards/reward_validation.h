// Validation of catalog rewards (API and catalog files) and redemptions.
#ifndef PLAUDIT_SERVICES_REWARDS_REWARD_VALIDATION_H_
#define PLAUDIT_SERVICES_REWARDS_REWARD_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/reward_service.pb.h"

namespace plaudit {

inline constexpr int64_t kMaxRewardCost = 10'000'000;
inline constexpr int32_t kMaxRedeemQuantity = 100;

// INVALID_ARGUMENT naming "<field_prefix>.<field>" for the first problem.
absl::Status ValidateReward(const v1::Reward& reward,
                            absl::string_view field_prefix);
absl::Status ValidateRedeem(const v1::RedeemRequest& request);

// A catalog file (JSON of RewardSet): every reward valid, ids unique.
absl::StatusOr<v1::RewardSet> ParseCatalogJson(absl::string_view json);

// True when `a` and `b` differ in anything HR writes (output fields and,
// when `b` leaves it out, stock ignored).
bool RewardsDiffer(const v1::Reward& a, const v1::Reward& b);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_REWARDS_REWARD_VALIDATION_H_
