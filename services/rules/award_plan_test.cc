#include "services/rules/award_plan.h"

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace plaudit {
namespace {

using google::protobuf::util::TimeUtil;

v1::Rule MakeRule(const std::string& id, const std::string& action,
                  v1::Rule::Recipient recipient, int64_t points) {
  v1::Rule rule;
  rule.set_rule_id(id);
  rule.set_action(action);
  rule.set_recipient(recipient);
  rule.set_points(points);
  return rule;
}

v1::Event Like(const std::string& actor, const std::string& author) {
  v1::Event event;
  event.set_event_id("e1");
  event.set_action("like");
  event.set_actor_id(actor);
  event.set_subject_id(author);
  event.set_object_id("post-1");
  return event;
}

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

TEST(PlanAwardsTest, MatchesActionAndPaysTheRightRecipient) {
  const std::vector<v1::Rule> rules = {
      MakeRule("like-author", "like", v1::Rule::SUBJECT, 2),
      MakeRule("post", "post.created", v1::Rule::ACTOR, 10)};
  const AwardPlan plan = PlanAwards(rules, Like("ann", "bob"), kNow);
  ASSERT_EQ(plan.candidates.size(), 1u);
  EXPECT_EQ(plan.candidates[0].rule_id, "like-author");
  EXPECT_EQ(plan.candidates[0].user_id, "bob");
  EXPECT_EQ(plan.candidates[0].points, 2);
  EXPECT_TRUE(plan.refusals.empty());
}

TEST(PlanAwardsTest, NoRuleMatchesMeansNoAwardsAndNoRefusals) {
  const std::vector<v1::Rule> rules = {
      MakeRule("post", "post.created", v1::Rule::ACTOR, 10)};
  const AwardPlan plan = PlanAwards(rules, Like("ann", "bob"), kNow);
  EXPECT_TRUE(plan.candidates.empty());
  EXPECT_TRUE(plan.refusals.empty());
}

TEST(PlanAwardsTest, DisabledRulesDoNotMatch) {
  v1::Rule rule = MakeRule("like-author", "like", v1::Rule::SUBJECT, 2);
  rule.set_enabled(false);
  EXPECT_TRUE(PlanAwards({rule}, Like("ann", "bob"), kNow).candidates.empty());
  rule.set_enabled(true);
  EXPECT_EQ(PlanAwards({rule}, Like("ann", "bob"), kNow).candidates.size(), 1u);
}

TEST(PlanAwardsTest, SelfActionsPayOnlyWhenAllowed) {
  v1::Rule rule = MakeRule("like-author", "like", v1::Rule::SUBJECT, 2);
  AwardPlan plan = PlanAwards({rule}, Like("bob", "bob"), kNow);
  EXPECT_TRUE(plan.candidates.empty());
  ASSERT_EQ(plan.refusals.size(), 1u);
  EXPECT_EQ(plan.refusals[0].reason(), v1::Refusal::SELF_ACTION);
  EXPECT_EQ(plan.refusals[0].user_id(), "bob");

  rule.set_allow_self(true);
  EXPECT_EQ(PlanAwards({rule}, Like("bob", "bob"), kNow).candidates.size(), 1u);
}

TEST(PlanAwardsTest, WindowIsHalfOpen) {
  v1::Rule rule = MakeRule("like-author", "like", v1::Rule::SUBJECT, 2);
  *rule.mutable_valid_from() = TimeUtil::SecondsToTimestamp(1'800'000'000);
  *rule.mutable_valid_until() = TimeUtil::SecondsToTimestamp(1'800'000'100);
  const v1::Event like = Like("ann", "bob");
  EXPECT_EQ(PlanAwards({rule}, like, absl::FromUnixSeconds(1'800'000'000))
                .candidates.size(), 1u);
  const AwardPlan before =
      PlanAwards({rule}, like, absl::FromUnixSeconds(1'799'999'999));
  ASSERT_EQ(before.refusals.size(), 1u);
  EXPECT_EQ(before.refusals[0].reason(), v1::Refusal::OUTSIDE_WINDOW);
  const AwardPlan at_end =
      PlanAwards({rule}, like, absl::FromUnixSeconds(1'800'000'100));
  ASSERT_EQ(at_end.refusals.size(), 1u);
  EXPECT_EQ(at_end.refusals[0].reason(), v1::Refusal::OUTSIDE_WINDOW);
}

TEST(PlanAwardsTest, DailyLimitedRulesRefuseEventsTooLateToCount) {
  v1::Rule limited = MakeRule("like-author", "like", v1::Rule::SUBJECT, 2);
  limited.set_daily_limit(50);
  v1::Rule unlimited = MakeRule("like-given", "like", v1::Rule::ACTOR, 1);
  const AwardPlan plan = PlanAwards({limited, unlimited}, Like("ann", "bob"),
                                    kNow, /*daily_counts_kept=*/false);
  ASSERT_EQ(plan.candidates.size(), 1u);
  EXPECT_EQ(plan.candidates[0].rule_id, "like-given");
  ASSERT_EQ(plan.refusals.size(), 1u);
  EXPECT_EQ(plan.refusals[0].reason(), v1::Refusal::TOO_LATE);
}

TEST(PlanAwardsTest, AWindowEndingInTheFarFuturePays) {
  v1::Rule rule = MakeRule("like-author", "like", v1::Rule::SUBJECT, 2);
  rule.mutable_valid_until()->set_seconds(253402300799);  // 9999-12-31
  EXPECT_EQ(PlanAwards({rule}, Like("ann", "bob"), kNow).candidates.size(), 1u);
}

TEST(PlanAwardsTest, MissingSubjectOrObjectIsARefusalNotAnError) {
  v1::Rule to_subject = MakeRule("like-author", "like", v1::Rule::SUBJECT, 2);
  v1::Event like = Like("ann", "");
  AwardPlan plan = PlanAwards({to_subject}, like, kNow);
  ASSERT_EQ(plan.refusals.size(), 1u);
  EXPECT_EQ(plan.refusals[0].reason(), v1::Refusal::MISSING_SUBJECT);

  v1::Rule once = MakeRule("course", "like", v1::Rule::ACTOR, 50);
  once.set_once_per_object(true);
  like = Like("ann", "bob");
  like.clear_object_id();
  plan = PlanAwards({once}, like, kNow);
  ASSERT_EQ(plan.refusals.size(), 1u);
  EXPECT_EQ(plan.refusals[0].reason(), v1::Refusal::MISSING_OBJECT);
}

TEST(PlanAwardsTest, CarriesStorageChecksToTheScript) {
  v1::Rule rule = MakeRule("like-author", "like", v1::Rule::SUBJECT, 2);
  rule.set_daily_limit(50);
  rule.set_once_per_object(true);
  rule.set_group("office:kazan");
  const AwardPlan plan = PlanAwards({rule}, Like("ann", "bob"), kNow);
  ASSERT_EQ(plan.candidates.size(), 1u);
  EXPECT_EQ(plan.candidates[0].daily_limit, 50);
  EXPECT_TRUE(plan.candidates[0].once_per_object);
  EXPECT_EQ(plan.candidates[0].group, "office:kazan");
}

TEST(TagBonusTest, HighestMatchingMultiplierWinsCaseInsensitively) {
  v1::Rule rule = MakeRule("post", "post.created", v1::Rule::ACTOR, 10);
  (*rule.mutable_tag_bonuses())["security"] = 2.0;
  (*rule.mutable_tag_bonuses())["#Wellbeing"] = 1.5;
  google::protobuf::RepeatedPtrField<std::string> tags;
  EXPECT_EQ(PointsWithTagBonus(rule, tags), 10);
  *tags.Add() = "wellbeing";
  EXPECT_EQ(PointsWithTagBonus(rule, tags), 15);
  *tags.Add() = "#SECURITY";
  EXPECT_EQ(PointsWithTagBonus(rule, tags), 20);
}

TEST(TagBonusTest, RoundsHalfAwayFromZeroForPenaltiesToo) {
  v1::Rule rule = MakeRule("spam", "post.flagged", v1::Rule::ACTOR, -3);
  (*rule.mutable_tag_bonuses())["severe"] = 1.5;
  google::protobuf::RepeatedPtrField<std::string> tags;
  *tags.Add() = "severe";
  EXPECT_EQ(PointsWithTagBonus(rule, tags), -5);  // -4.5 -> -5
}

}  // namespace
}  // namespace plaudit
