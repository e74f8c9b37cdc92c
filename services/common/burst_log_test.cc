#include "services/common/burst_log.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(BurstLogTest, FirstAtOnceThenOneLineWithTheCountPerPeriod) {
  BurstLog log(absl::Seconds(10));
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);  // 22:13:20 UTC
  EXPECT_EQ(log.Note("peer-a", "bad key", t0), "bad key");
  for (int i = 1; i <= 1000; ++i) {
    EXPECT_EQ(log.Note("peer-a", "bad key", t0 + absl::Milliseconds(i)),
              std::nullopt);
  }
  // Another key is its own burst.
  EXPECT_EQ(log.Note("peer-b", "bad key", t0), "bad key");
  EXPECT_EQ(log.Note("peer-a", "bad key", t0 + absl::Seconds(10)),
            "bad key (and 1000 more like it since 22:13:20 UTC)");
  // A quiet period after: the next line carries no count.
  EXPECT_EQ(log.Note("peer-a", "bad key", t0 + absl::Seconds(30)), "bad key");
}

TEST(BurstLogTest, ForgetsKeysBeyondItsBound) {
  BurstLog log(absl::Seconds(10), /*max_keys=*/10);
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(log.Note(std::to_string(i), "x", t0).has_value());
    ASSERT_LE(log.size(), 10u);
  }
}

}  // namespace
}  // namespace plaudit
