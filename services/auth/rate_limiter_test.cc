#include "services/auth/rate_limiter.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter limiter({/*per_second=*/2, /*burst=*/3});
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("k", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Acquire("k", t0), absl::Milliseconds(500));
  // Other keys have their own bucket.
  EXPECT_EQ(limiter.Acquire("other", t0), absl::ZeroDuration());
  // Half a second later one token is back, not two.
  EXPECT_EQ(limiter.Acquire("k", t0 + absl::Milliseconds(500)), absl::ZeroDuration());
  EXPECT_GT(limiter.Acquire("k", t0 + absl::Milliseconds(500)), absl::ZeroDuration());
  // Long idle refills up to the burst only.
  const absl::Time later = t0 + absl::Hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("k", later), absl::ZeroDuration());
  EXPECT_GT(limiter.Acquire("k", later), absl::ZeroDuration());
}

TEST(RateLimiterTest, ZeroRateIsUnlimited) {
  RateLimiter limiter({0, 0});
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.Acquire("k", absl::UnixEpoch()), absl::ZeroDuration());
  }
}

}  // namespace
}  // namespace plaudit
