#include "services/rewards/reward_validation.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/common/json_file.h"
#include "services/common/validation.h"

namespace plaudit {

absl::Status ValidateReward(const v1::Reward& reward, absl::string_view prefix) {
  auto field = [&](absl::string_view name) {
    return absl::StrCat(prefix, ".", name);
  };
  if (auto s = ValidateSlug(field("reward_id"), reward.reward_id()); !s.ok()) {
    return s;
  }
  if (reward.title().empty()) return InvalidField(field("title"), "is required");
  if (auto s = ValidateText(field("title"), reward.title(), 200); !s.ok()) return s;
  if (auto s = ValidateText(field("description"), reward.description(), 2000);
      !s.ok()) {
    return s;
  }
  if (!reward.image_url().empty()) {
    if (auto s = ValidateId(field("image_url"), reward.image_url(), 2048);
        !s.ok()) {
      return s;
    }
    if (!absl::StartsWith(reward.image_url(), "https://") &&
        !absl::StartsWith(reward.image_url(), "http://")) {
      return InvalidField(field("image_url"), "must be an http(s) URL");
    }
  }
  if (reward.cost() <= 0 || reward.cost() > kMaxRewardCost) {
    return InvalidField(field("cost"),
                        absl::StrCat("must be 1 to ", kMaxRewardCost,
                                     " points, got ", reward.cost()));
  }
  if (reward.has_stock() && (reward.stock() < 0 || reward.stock() > 1'000'000'000)) {
    return InvalidField(field("stock"), "must be 0 to 1,000,000,000 (or absent "
                                        "for unlimited)");
  }
  if (reward.has_per_user_limit()) {
    const auto& limit = reward.per_user_limit();
    if (limit.max_quantity() < 1 || limit.max_quantity() > 1000) {
      return InvalidField(field("per_user_limit.max_quantity"),
                          "must be 1 to 1000");
    }
    if (limit.period() == v1::PERIOD_UNSPECIFIED ||
        !v1::Period_IsValid(limit.period())) {
      return InvalidField(field("per_user_limit.period"),
                          "must be ALL_TIME, YEAR, MONTH, WEEK or DAY");
    }
  }
  if (!reward.group().empty()) {
    if (auto s = ValidateGroup(field("group"), reward.group()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateRedeem(const v1::RedeemRequest& request) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  if (auto s = ValidateSlug("reward_id", request.reward_id()); !s.ok()) return s;
  if (request.quantity() < 1 || request.quantity() > kMaxRedeemQuantity) {
    return InvalidField("quantity", absl::StrCat("must be 1 to ",
                                                 kMaxRedeemQuantity, ", got ",
                                                 request.quantity()));
  }
  return ValidateId("request_id", request.request_id());
}

absl::StatusOr<v1::RewardSet> ParseCatalogJson(absl::string_view json) {
  absl::StatusOr<v1::RewardSet> catalog =
      ParseJsonMessage<v1::RewardSet>(json, "catalog file");
  if (!catalog.ok()) return catalog.status();
  std::set<std::string> seen;
  for (int i = 0; i < catalog->rewards_size(); ++i) {
    const std::string field = absl::StrCat("rewards[", i, "]");
    if (auto s = ValidateReward(catalog->rewards(i), field); !s.ok()) return s;
    if (!seen.insert(catalog->rewards(i).reward_id()).second) {
      return InvalidField(absl::StrCat(field, ".reward_id"), "appears twice");
    }
  }
  return catalog;
}

bool RewardsDiffer(const v1::Reward& a, const v1::Reward& b) {
  v1::Reward left = a;
  v1::Reward right = b;
  for (v1::Reward* reward : {&left, &right}) {
    reward->clear_update_time();
    reward->clear_archived();
    if (!reward->has_active()) reward->set_active(true);
  }
  if (!right.has_stock()) left.clear_stock();
  return !google::protobuf::util::MessageDifferencer::Equals(left, right);
}

}  // namespace plaudit
