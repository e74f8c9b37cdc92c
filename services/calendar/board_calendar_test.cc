#include "services/calendar/board_calendar.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

absl::Time Utc(int y, int mo, int d, int h) {
  return absl::FromCivil(absl::CivilHour(y, mo, d, h), absl::UTCTimeZone());
}

TEST(BoardCalendarTest, AnAwardCountsInEveryPeriod) {
  const BoardCalendar calendar(absl::UTCTimeZone(), Retention{});
  const absl::Time t = Utc(2026, 11, 27, 12);
  const auto buckets = calendar.BucketsAt(t, t);
  ASSERT_EQ(buckets.size(), 5u);
  EXPECT_EQ(buckets[0].key, "all");
  EXPECT_EQ(buckets[0].retained_until_ms, 0);
  EXPECT_EQ(buckets[4].key, "d:2026-11-27");
  EXPECT_EQ(buckets[4].retained_until_ms,
            absl::ToUnixMillis(Utc(2026, 12, 12, 0)));  // + 14 days kept
}

TEST(BoardCalendarTest, LateEventsSkipBucketsAlreadyGone) {
  const BoardCalendar calendar(absl::UTCTimeZone(), Retention{});
  // Three months late: the day and week buckets have expired.
  const auto buckets =
      calendar.BucketsAt(Utc(2026, 8, 20, 12), Utc(2026, 11, 27, 12));
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[2].key, "m:2026-08");
}

TEST(BoardCalendarTest, RetainedBucketsFollowTheRetention) {
  Retention retention;
  retention.days = 2;
  retention.weeks = 1;
  retention.months = 0;
  retention.years = 0;
  const BoardCalendar calendar(absl::UTCTimeZone(), retention);
  std::vector<std::string> keys;
  for (const auto& bucket : calendar.RetainedBuckets(Utc(2026, 11, 27, 12))) {
    keys.push_back(bucket.key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "all", "y:2026", "m:2026-11", "w:2026-W48", "w:2026-W47",
                      "d:2026-11-27", "d:2026-11-26", "d:2026-11-25"}));
}

TEST(BoardCalendarTest, FutureAndExpiredBucketsAreNotReadable) {
  const BoardCalendar calendar(absl::UTCTimeZone(), Retention{});
  const absl::Time now = Utc(2026, 11, 27, 12);
  EXPECT_TRUE(
      calendar.CheckReadable(*ParseBucket(Period::kWeek, "2026-W47", "b"), now)
          .ok());
  EXPECT_EQ(
      calendar.CheckReadable(*ParseBucket(Period::kDay, "2026-11-28", "b"), now)
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      calendar.CheckReadable(*ParseBucket(Period::kDay, "2026-11-01", "b"), now)
          .code(),
      absl::StatusCode::kNotFound);
}

TEST(BoardCalendarTest, PeriodsNotKeptAreNeitherWrittenNorRead) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const BoardCalendar calendar(utc, Retention{},
                               {Period::kAllTime, Period::kWeek});
  const absl::Time now = absl::FromCivil(absl::CivilDay(2026, 12, 2), utc);
  std::vector<std::string> keys;
  for (const BoardBucket& bucket : calendar.BucketsAt(now, now)) {
    keys.push_back(bucket.key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"all", "w:2026-W49"}));
  for (const BoardBucket& bucket : calendar.RetainedBuckets(now)) {
    EXPECT_TRUE(bucket.key == "all" || bucket.key.rfind("w:", 0) == 0)
        << bucket.key;
  }
  const absl::Status day =
      calendar.CheckReadable(BucketAt(Period::kDay, now, utc), now);
  EXPECT_EQ(day.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      calendar.CheckReadable(BucketAt(Period::kWeek, now, utc), now).ok());
}

}  // namespace
}  // namespace plaudit
