#include "services/events/event_validation.h"

#include <string>

#include "gtest/gtest.h"

namespace plaudit {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

v1::Event ValidEvent() {
  v1::Event event;
  event.set_event_id("e-1");
  event.set_action("post.created");
  event.set_actor_id("ann");
  return event;
}

std::string Problem(const v1::Event& event) {
  const absl::Status status = ValidateEvent(event, "events[2]", kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(ValidateEventTest, AcceptsAMinimalEvent) {
  EXPECT_TRUE(ValidateEvent(ValidEvent(), "event", kNow).ok());
}

TEST(ValidateEventTest, NamesFieldWithItsPositionInTheBatch) {
  v1::Event event = ValidEvent();
  event.clear_event_id();
  EXPECT_EQ(Problem(event), "events[2].event_id: is required");

  event = ValidEvent();
  event.set_actor_id(std::string(129, 'x'));
  EXPECT_EQ(Problem(event),
            "events[2].actor_id: must be at most 128 bytes, got 129");

  event = ValidEvent();
  event.set_action("Post Created");
  EXPECT_NE(Problem(event).find("events[2].action"), std::string::npos);

  event = ValidEvent();
  for (int i = 0; i < 33; ++i) event.add_tags("t");
  EXPECT_NE(Problem(event).find("events[2].tags"), std::string::npos);
}

TEST(ValidateEventTest, OccurredAtMustBePlausible) {
  v1::Event event = ValidEvent();
  event.mutable_occurred_at()->set_seconds(1'800'000'000 + 2 * 86400);
  EXPECT_EQ(Problem(event),
            "events[2].occurred_at: is more than a day in the future");
  event.mutable_occurred_at()->set_seconds(12);
  EXPECT_EQ(Problem(event), "events[2].occurred_at: is before the year 2000");
  event.mutable_occurred_at()->set_seconds(1'799'000'000);
  EXPECT_TRUE(ValidateEvent(event, "e", kNow).ok());
  EXPECT_EQ(ResolveOccurredAt(event, kNow), absl::FromUnixSeconds(1'799'000'000));
  EXPECT_EQ(ResolveOccurredAt(ValidEvent(), kNow), kNow);
}

}  // namespace
}  // namespace plaudit
