#include "services/auth/rate_limiter.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter limiter({/*per_second=*/2, /*burst=*/3});
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(limiter.Acquire("k", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Acquire("k", t0), absl::Milliseconds(500));
  // Other keys have their own bucket.
  EXPECT_EQ(limiter.Acquire("other", t0), absl::ZeroDuration());
  // Half a second later one token is back, not two.
  EXPECT_EQ(limiter.Acquire("k", t0 + absl::Milliseconds(500)),
            absl::ZeroDuration());
  EXPECT_GT(limiter.Acquire("k", t0 + absl::Milliseconds(500)),
            absl::ZeroDuration());
  // Long idle refills up to the burst only.
  const absl::Time later = t0 + absl::Hours(1);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(limiter.Acquire("k", later), absl::ZeroDuration());
  EXPECT_GT(limiter.Acquire("k", later), absl::ZeroDuration());
}

TEST(RateLimiterTest, ZeroRateIsUnlimited) {
  RateLimiter limiter({0, 0});
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.Acquire("k", absl::UnixEpoch()), absl::ZeroDuration());
  }
}

TEST(RateLimiterTest, WaitTellsWithoutTaking) {
  RateLimiter limiter({/*per_second=*/1, /*burst=*/2});
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_EQ(limiter.Wait("k", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Acquire("k", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Wait("k", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Acquire("k", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Wait("k", t0), absl::Seconds(1));
  EXPECT_EQ(limiter.Wait("k", t0), absl::Seconds(1));  // still nothing taken
}

TEST(RateLimiterTest, MadeUpKeysCannotGrowItWithoutBound) {
  RateLimiter limiter({/*per_second=*/1, /*burst=*/1}, /*max_keys=*/100);
  absl::Time now = absl::FromUnixSeconds(1000);
  auto tick = [&] { return now += absl::Microseconds(1); };
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_EQ(limiter.Acquire("made-up-" + std::to_string(i), tick()),
              absl::ZeroDuration());
    ASSERT_LE(limiter.size(), 100u);
  }
  // The most recently used keep their state through further evictions.
  EXPECT_EQ(limiter.Acquire("busy", tick()), absl::ZeroDuration());
  for (int i = 0; i < 30; ++i)
    limiter.Acquire("more-" + std::to_string(i), tick());
  EXPECT_GT(limiter.Acquire("busy", tick()), absl::ZeroDuration());
}

TEST(RateLimiterTest, ACallsOwnLimitAppliesFromThatCallOn) {
  RateLimiter limiter({1, 1});
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  const RateLimit generous{100, 5};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limiter.Acquire("k", t0, generous), absl::ZeroDuration()) << i;
  }
  EXPECT_GT(limiter.Acquire("k", t0, generous), absl::ZeroDuration());
  // Refilled at 100/s: one token back after 10 ms.
  EXPECT_EQ(limiter.Acquire("k", t0 + absl::Milliseconds(10), generous),
            absl::ZeroDuration());
  // A tighter limit caps what is left at its burst.
  EXPECT_EQ(limiter.Acquire("k", t0 + absl::Seconds(1), RateLimit{1, 1}),
            absl::ZeroDuration());
  EXPECT_GT(limiter.Acquire("k", t0 + absl::Seconds(1), RateLimit{1, 1}),
            absl::ZeroDuration());
}

}  // namespace
}  // namespace plaudit
