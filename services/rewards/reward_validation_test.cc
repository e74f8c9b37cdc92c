#include "services/rewards/reward_validation.h"

#include "gtest/gtest.h"
#include "services/common/json_file.h"

namespace plaudit {
namespace {

v1::Reward ValidReward() {
  v1::Reward reward;
  reward.set_reward_id("hoodie");
  reward.set_title("Company hoodie");
  reward.set_cost(300);
  return reward;
}

std::string Problem(const v1::Reward& reward) {
  const absl::Status status = ValidateReward(reward, "reward");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(ValidateRewardTest, NamesTheOffendingField) {
  EXPECT_TRUE(ValidateReward(ValidReward(), "reward").ok());
  v1::Reward reward = ValidReward();
  reward.set_cost(0);
  EXPECT_NE(Problem(reward).find("reward.cost"), std::string::npos);
  reward = ValidReward();
  reward.clear_title();
  EXPECT_EQ(Problem(reward), "reward.title: is required");
  reward = ValidReward();
  reward.set_stock(-1);
  EXPECT_NE(Problem(reward).find("reward.stock"), std::string::npos);
  reward = ValidReward();
  reward.set_image_url("javascript:alert(1)");
  EXPECT_EQ(Problem(reward), "reward.image_url: must be an http(s) URL");
  reward = ValidReward();
  reward.mutable_per_user_limit()->set_max_quantity(2);
  EXPECT_NE(Problem(reward).find("reward.per_user_limit.period"),
            std::string::npos);
  reward = ValidReward();
  reward.set_group("kazan");
  EXPECT_NE(Problem(reward).find("reward.group"), std::string::npos);
}

TEST(ValidateRedeemTest, QuantityAndIds) {
  v1::RedeemRequest request;
  request.set_user_id("ann");
  request.set_reward_id("hoodie");
  request.set_quantity(1);
  request.set_request_id("r1");
  EXPECT_TRUE(ValidateRedeem(request).ok());
  request.set_quantity(0);
  EXPECT_NE(ValidateRedeem(request).message().find("quantity"), std::string::npos);
  request.set_quantity(1'000'000);
  EXPECT_NE(ValidateRedeem(request).message().find("quantity"), std::string::npos);
  request.set_quantity(1);
  request.clear_request_id();
  EXPECT_NE(ValidateRedeem(request).message().find("request_id"),
            std::string::npos);
}

TEST(CatalogFileTest, TheExampleCatalogParsesAndTyposDoNot) {
  const auto text = ReadTextFile("deploy/examples/catalog.json");
  ASSERT_TRUE(text.ok());
  const auto catalog = ParseCatalogJson(*text);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  EXPECT_EQ(catalog->rewards_size(), 5);
  const auto typo = ParseCatalogJson(
      R"({"rewards": [{"reward_id": "x", "title": "X", "cost": 1, "stok": 3}]})");
  EXPECT_EQ(typo.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("stok"), std::string::npos);
  const auto twice = ParseCatalogJson(
      R"({"rewards": [{"reward_id": "x", "title": "X", "cost": 1},
                      {"reward_id": "x", "title": "Y", "cost": 2}]})");
  EXPECT_NE(twice.status().message().find("rewards[1].reward_id"),
            std::string::npos);
}

TEST(RewardsDifferTest, IgnoresOutputFieldsAndAbsentStock) {
  v1::Reward stored = ValidReward();
  stored.set_stock(12);
  stored.set_active(true);
  stored.mutable_update_time()->set_seconds(9);
  v1::Reward file = ValidReward();
  EXPECT_FALSE(RewardsDiffer(stored, file));
  file.set_cost(301);
  EXPECT_TRUE(RewardsDiffer(stored, file));
}

}  // namespace
}  // namespace plaudit
