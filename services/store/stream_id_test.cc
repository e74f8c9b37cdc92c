#include "services/store/stream_id.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(StreamIdTest, ParsesIdsAndRefusesTheRest) {
  const auto id = StreamId::Parse("1700000000000-3");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->ms, 1700000000000u);
  EXPECT_EQ(id->seq, 3u);
  EXPECT_EQ(id->ToString(), "1700000000000-3");
  for (const char* bad : {"", "-", "1-", "-1", "17", "1-2-3", "a-1", "1-b",
                          "1 -2", "+1-2", "123456789012345678901-0"}) {
    EXPECT_FALSE(IsStreamId(bad)) << bad;
  }
}

TEST(StreamIdTest, OrdersByTimeThenSequence) {
  const StreamId a = *StreamId::Parse("9-10");
  const StreamId b = *StreamId::Parse("10-2");
  const StreamId c = *StreamId::Parse("10-10");
  EXPECT_TRUE(a < b);  // not text order: "9" > "10"
  EXPECT_TRUE(b < c);
  EXPECT_TRUE(c <= c);
  EXPECT_FALSE(c < c);
}

}  // namespace
}  // namespace plaudit
