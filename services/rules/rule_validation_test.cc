#include "services/rules/rule_validation.h"

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace plaudit {
namespace {

v1::Rule ValidRule() {
  v1::Rule rule;
  rule.set_rule_id("like-author");
  rule.set_action("like");
  rule.set_recipient(v1::Rule::SUBJECT);
  rule.set_points(2);
  return rule;
}

std::string Problem(const v1::Rule& rule) {
  const absl::Status status = ValidateRule(rule, "rule");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(ValidateRuleTest, AcceptsAValidRule) {
  EXPECT_TRUE(ValidateRule(ValidRule(), "rule").ok());
}

TEST(ValidateRuleTest, NamesTheOffendingField) {
  v1::Rule rule = ValidRule();
  rule.set_rule_id("");
  EXPECT_EQ(Problem(rule), "rule.rule_id: is required");

  rule = ValidRule();
  rule.set_recipient(static_cast<v1::Rule::Recipient>(7));
  EXPECT_EQ(Problem(rule), "rule.recipient: must be ACTOR or SUBJECT");

  rule = ValidRule();
  rule.set_points(0);
  EXPECT_NE(Problem(rule).find("rule.points"), std::string::npos);
  rule.set_points(1'000'001);
  EXPECT_NE(Problem(rule).find("rule.points"), std::string::npos);

  rule = ValidRule();
  rule.set_daily_limit(-1);
  EXPECT_NE(Problem(rule).find("rule.daily_limit"), std::string::npos);

  rule = ValidRule();
  (*rule.mutable_tag_bonuses())["x"] = 0;
  EXPECT_NE(Problem(rule).find("rule.tag_bonuses[x]"), std::string::npos);

  rule = ValidRule();
  rule.set_min_interval_seconds(-1);
  EXPECT_NE(Problem(rule).find("rule.min_interval_seconds"), std::string::npos);
  rule = ValidRule();
  rule.set_recipient(v1::Rule::ACTOR);
  rule.set_max_reciprocal_per_day(3);
  EXPECT_NE(Problem(rule).find("rule.max_reciprocal_per_day"), std::string::npos);

  rule = ValidRule();
  rule.set_group("kazan");
  EXPECT_NE(Problem(rule).find("rule.group"), std::string::npos);
}

TEST(ValidateRuleTest, WindowMustBeOrdered) {
  using google::protobuf::util::TimeUtil;
  v1::Rule rule = ValidRule();
  *rule.mutable_valid_from() = TimeUtil::SecondsToTimestamp(200);
  *rule.mutable_valid_until() = TimeUtil::SecondsToTimestamp(100);
  EXPECT_EQ(Problem(rule), "rule.valid_until: must be after valid_from");
}

}  // namespace
}  // namespace plaudit
