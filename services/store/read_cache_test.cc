#include "services/store/read_cache.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

const absl::Time kSent = absl::FromUnixSeconds(1'800'000'000);

TEST(ReadCacheTest, ServesWhileNoWriteWasAcknowledgedAndNotTooOld) {
  ReadCache<int> cache(absl::Seconds(1));
  cache.Keep("top", {7, kSent}, std::make_shared<const int>(42));

  std::shared_ptr<const int> hit = cache.Find("top", 7, kSent + absl::Milliseconds(999));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(*hit, 42);
  EXPECT_EQ(cache.Find("top", 8, kSent), nullptr) << "a write was acknowledged";
  EXPECT_EQ(cache.Find("top", 7, kSent + absl::Seconds(1)), nullptr) << "too old";
  EXPECT_EQ(cache.Find("other", 7, kSent), nullptr);
}

TEST(ReadCacheTest, AnOlderReadAnsweredLateDoesNotReplaceANewerOne) {
  ReadCache<int> cache(absl::Seconds(1));
  cache.Keep("top", {8, kSent + absl::Milliseconds(5)}, std::make_shared<const int>(2));
  cache.Keep("top", {7, kSent}, std::make_shared<const int>(1));
  const absl::Time later = kSent + absl::Milliseconds(10);
  ASSERT_NE(cache.Find("top", 8, later), nullptr);
  EXPECT_EQ(*cache.Find("top", 8, later), 2);
}

TEST(ReadCacheTest, AClockSteppedBackDoesNotStretchTheMaxAge) {
  ReadCache<int> cache(absl::Seconds(1));
  cache.Keep("top", {1, kSent}, std::make_shared<const int>(1));
  EXPECT_EQ(cache.Find("top", 1, kSent - absl::Minutes(5)), nullptr);
}

TEST(ReadCacheTest, ZeroMaxAgeKeepsNothing) {
  ReadCache<int> cache(absl::ZeroDuration());
  cache.Keep("top", {1, kSent}, std::make_shared<const int>(1));
  EXPECT_EQ(cache.Find("top", 1, kSent), nullptr);
}

TEST(ReadCacheTest, AFullCacheStartsOverRatherThanGrow) {
  ReadCache<int> cache(absl::Seconds(1), /*max_entries=*/2);
  cache.Keep("a", {1, kSent}, std::make_shared<const int>(1));
  cache.Keep("b", {1, kSent}, std::make_shared<const int>(2));
  cache.Keep("c", {1, kSent}, std::make_shared<const int>(3));
  EXPECT_EQ(cache.Find("a", 1, kSent), nullptr);
  EXPECT_EQ(cache.Find("b", 1, kSent), nullptr);
  ASSERT_NE(cache.Find("c", 1, kSent), nullptr);
}

}  // namespace
}  // namespace plaudit
