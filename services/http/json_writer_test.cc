#include "services/http/json_writer.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "plaudit/v1/analytics_service.pb.h"
#include "plaudit/v1/audit_service.pb.h"
#include "plaudit/v1/leaderboard_service.pb.h"
#include "plaudit/v1/rule_service.pb.h"
#include "plaudit/v1/tenant_service.pb.h"

namespace plaudit {
namespace {

using google::protobuf::util::TimeUtil;

// Ours and protobuf's writer give the same JSON value (maps in any order).
void ExpectSameAsProtobuf(const google::protobuf::Message& message) {
  std::string ours;
  AppendJson(message, &ours);
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string theirs;
  ASSERT_TRUE(
      google::protobuf::util::MessageToJsonString(message, &theirs, options)
          .ok());
  google::protobuf::Value a, b;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ours, &a).ok())
      << ours;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(theirs, &b).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b))
      << "ours:   " << ours << "\ntheirs: " << theirs;
  // And it reads back as the same message.
  std::unique_ptr<google::protobuf::Message> back(message.New());
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(ours, back.get()).ok())
      << ours;
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*back, message));
}

TEST(JsonWriterTest, MatchesProtobufOnTheApisMessages) {
  v1::Rule rule;
  rule.set_rule_id("likes");
  rule.set_action("like \"quoted\"\n\ttab \x01 ünïcødé");
  rule.set_recipient(v1::Rule::SUBJECT);
  rule.set_points(-9'007'199'254'740'993);
  (*rule.mutable_tag_bonuses())["#hr"] = 1.5;
  (*rule.mutable_tag_bonuses())["#x"] = 0.1;
  *rule.mutable_update_time() =
      TimeUtil::MillisecondsToTimestamp(1'796'000'000'123);
  rule.set_enabled(false);
  ExpectSameAsProtobuf(rule);
  ExpectSameAsProtobuf(v1::Rule());

  v1::GetLeaderboardResponse page;
  page.set_scope("dept:sales");
  page.set_period(v1::WEEK);
  for (int i = 0; i < 3; ++i) {
    auto* entry = page.add_entries();
    entry->set_rank(i + 1);
    entry->set_user_id(absl::StrCat("u", i));
    entry->set_score(100 - i);
  }
  ExpectSameAsProtobuf(page);

  v1::GetEngagementResponse engagement;
  auto* e = engagement.mutable_engagement();
  (*e->mutable_figures()->mutable_events_by_action())["like"] = 3;
  e->mutable_growth()->set_events(0.25);
  ExpectSameAsProtobuf(engagement);

  v1::TenantSettings settings;
  settings.add_periods(v1::ALL_TIME);
  settings.add_periods(v1::DAY);
  settings.mutable_rate_limit()->set_per_second(12.5);
  settings.mutable_retention()->set_days(14);
  ExpectSameAsProtobuf(settings);

  v1::UpdateRuleRequest update;
  update.mutable_update_mask()->add_paths("daily_limit");
  update.mutable_update_mask()->add_paths("points");
  ExpectSameAsProtobuf(update);
}

}  // namespace
}  // namespace plaudit
