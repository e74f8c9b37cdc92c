#include "services/notifications/notification_codec.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

RedisValue Text(const std::string& text) {
  RedisValue value;
  value.kind = RedisValue::Kind::kString;
  value.str = text;
  return value;
}

// [id, [field, value, ...]] as XRANGE answers.
RedisValue Entry(const std::string& id,
                 std::vector<std::pair<std::string, std::string>> fields) {
  RedisValue entry, pairs;
  entry.kind = pairs.kind = RedisValue::Kind::kArray;
  for (const auto& [name, value] : fields) {
    pairs.elements.push_back(Text(name));
    pairs.elements.push_back(Text(value));
  }
  entry.elements = {Text(id), pairs};
  return entry;
}

TEST(NotificationCodecTest, ReadsAnOutboxEntry) {
  std::string groups;
  const auto notification = ParseNotification(
      "acme",
      Entry("1795800000000-2",
            {{"k", "award.paid"},
             {"u", "ann bob"},
             {"g", "dept:a team:1 dept:b"},
             {"at", "1795800000000"},
             {"p", R"({"event_id":"e1","action":"like","actor_id":"cid",)"
                   R"("awards":[{"user_id":"ann","points":2,"rule_id":"r"}],)"
                   R"("balances":{"ann":12},"later_field":1})"}}),
      &groups);
  ASSERT_TRUE(notification.ok()) << notification.status();
  EXPECT_EQ(notification->id(), "1795800000000-2");
  EXPECT_EQ(notification->tenant(), "acme");
  EXPECT_EQ(notification->kind(), "award.paid");
  ASSERT_EQ(notification->user_ids_size(), 2);
  EXPECT_EQ(notification->user_ids(1), "bob");
  EXPECT_EQ(notification->time().seconds(), 1795800000);
  EXPECT_EQ(groups, "dept:a team:1 dept:b");
  const v1::AwardPaid& paid = notification->award_paid();
  EXPECT_EQ(paid.event_id(), "e1");
  ASSERT_EQ(paid.awards_size(), 1);
  EXPECT_EQ(paid.awards(0).points(), 2);
  EXPECT_EQ(paid.balances().at("ann"), 12);
}

TEST(NotificationCodecTest, AKindOfANewerReplicaComesWithoutPayload) {
  std::string groups;
  const auto notification = ParseNotification(
      "acme", Entry("1-0", {{"k", "badge.earned"}, {"p", R"({"x":1})"}}),
      &groups);
  ASSERT_TRUE(notification.ok());
  EXPECT_EQ(notification->payload_case(), v1::Notification::PAYLOAD_NOT_SET);
}

TEST(NotificationCodecTest, ABrokenPayloadIsAnError) {
  std::string groups;
  EXPECT_FALSE(ParseNotification("acme",
                                 Entry("1-0", {{"k", "balance.adjusted"},
                                               {"p", "{not json"}}),
                                 &groups)
                   .ok());
}

TEST(NotificationCodecTest, FiltersByKindUserAndGroup) {
  v1::Notification notification;
  notification.set_kind("award.paid");
  notification.add_user_ids("ann");
  NotificationFilter any;
  EXPECT_TRUE(any.Accepts(notification, ""));
  NotificationFilter kinds{"", {"balance.adjusted"}, ""};
  EXPECT_FALSE(kinds.Accepts(notification, ""));
  kinds.kinds.push_back("award.paid");
  EXPECT_TRUE(kinds.Accepts(notification, ""));
  EXPECT_TRUE((NotificationFilter{"ann", {}, ""}.Accepts(notification, "")));
  EXPECT_FALSE((NotificationFilter{"an", {}, ""}.Accepts(notification, "")));
  const NotificationFilter sales{"", {}, "dept:sales"};
  EXPECT_TRUE(sales.Accepts(notification, "team:1 dept:sales"));
  EXPECT_FALSE(sales.Accepts(notification, "dept:salesforce"));
}

TEST(NotificationCodecTest, KnowsItsKinds) {
  EXPECT_TRUE(IsNotificationKind("redemption.fulfilled"));
  EXPECT_FALSE(IsNotificationKind("redemption"));
  EXPECT_FALSE(IsNotificationKind(""));
}

}  // namespace
}  // namespace plaudit
