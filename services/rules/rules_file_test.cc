#include "services/rules/rules_file.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(RulesFileTest, TheExampleRulesParse) {
  absl::StatusOr<v1::RuleSet> rules = ReadRulesFile("deploy/examples/rules.json");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_GE(rules->rules_size(), 5);
}

TEST(RulesFileTest, RefusesUnknownFields) {
  const auto rules = ParseRulesJson(
      R"({"rules": [{"ruleId": "p", "action": "post.created",
                     "recipient": "ACTOR", "points": 10, "pionts": 3}]})");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(rules.status().message().find("pionts"), std::string::npos);
}

TEST(RulesFileTest, RefusesInvalidRulesNamingTheirPosition) {
  const auto rules = ParseRulesJson(
      R"({"rules": [{"rule_id": "p", "action": "post.created",
                     "recipient": "ACTOR", "points": 10},
                    {"rule_id": "q", "action": "like", "recipient": "ACTOR",
                     "points": 0}]})");
  ASSERT_FALSE(rules.ok());
  EXPECT_NE(rules.status().message().find("rules[1].points"),
            std::string::npos);
}

TEST(RulesFileTest, RefusesDuplicateIdsAndUnknownEnumValues) {
  EXPECT_FALSE(ParseRulesJson(
      R"({"rules": [{"rule_id": "p", "action": "a", "recipient": "ACTOR", "points": 1},
                    {"rule_id": "p", "action": "b", "recipient": "ACTOR", "points": 1}]})")
                   .ok());
  const auto unknown_enum = ParseRulesJson(
      R"({"rules": [{"rule_id": "p", "action": "a", "recipient": "BOSS", "points": 1}]})");
  EXPECT_EQ(unknown_enum.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown_enum.status().message().find("recipient"), std::string::npos)
      << unknown_enum.status();
}

TEST(RulesDifferTest, IgnoresUpdateTime) {
  v1::Rule a;
  a.set_rule_id("p");
  a.set_points(10);
  v1::Rule b = a;
  b.mutable_update_time()->set_seconds(5);
  EXPECT_FALSE(RulesDiffer(a, b));
  b.set_points(11);
  EXPECT_TRUE(RulesDiffer(a, b));
}

}  // namespace
}  // namespace plaudit
