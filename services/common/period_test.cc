#include "services/common/period.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

absl::TimeZone Zone(const char* name) {
  return *LoadTenantTimeZone("time_zone", name);
}

std::string Day(absl::Time t, absl::TimeZone zone) {
  return BucketAt(Period::kDay, t, zone).id;
}

TEST(BucketAtTest, UsesTheTenantsLocalDay) {
  const absl::TimeZone yekaterinburg = Zone("Asia/Yekaterinburg");  // UTC+5
  // 23:59 and 00:01 local time: 18:59 and 19:01 UTC.
  EXPECT_EQ(Day(Utc(2026, 11, 27, 18, 59), yekaterinburg), "2026-11-27");
  EXPECT_EQ(Day(Utc(2026, 11, 27, 19, 1), yekaterinburg), "2026-11-28");
}

TEST(BucketAtTest, DayBoundaryAcrossDstChange) {
  const absl::TimeZone new_york = Zone("America/New_York");
  // DST starts 2026-03-08 02:00 local: that day is 23 hours long.
  // 23:59 EST on Mar 7 = 04:59 UTC Mar 8; 00:01 EST on Mar 8 = 05:01 UTC.
  EXPECT_EQ(Day(Utc(2026, 3, 8, 4, 59), new_york), "2026-03-07");
  EXPECT_EQ(Day(Utc(2026, 3, 8, 5, 1), new_york), "2026-03-08");
  // 23:59 EDT on Mar 8 = 03:59 UTC Mar 9 (the offset changed in between).
  EXPECT_EQ(Day(Utc(2026, 3, 9, 3, 59), new_york), "2026-03-08");
  EXPECT_EQ(Day(Utc(2026, 3, 9, 4, 1), new_york), "2026-03-09");
  const PeriodBucket dst_day = BucketAt(Period::kDay, Utc(2026, 3, 8, 12, 0), new_york);
  EXPECT_EQ(BucketEnd(dst_day, new_york) - BucketStart(dst_day, new_york),
            absl::Hours(23));
}

TEST(BucketAtTest, IsoWeeksStartOnMondayAndWeek53BelongsToItsThursdaysYear) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  // 2026-12-31 is a Thursday: Mon 28 Dec 2026 .. Sun 3 Jan 2027 is 2026-W53.
  EXPECT_EQ(BucketAt(Period::kWeek, Utc(2026, 12, 28, 0, 0), utc).id, "2026-W53");
  EXPECT_EQ(BucketAt(Period::kWeek, Utc(2027, 1, 3, 23, 59), utc).id, "2026-W53");
  EXPECT_EQ(BucketAt(Period::kWeek, Utc(2027, 1, 4, 0, 0), utc).id, "2027-W01");
  EXPECT_EQ(BucketAt(Period::kWeek, Utc(2026, 12, 27, 23, 59), utc).id, "2026-W52");
  // Jan 1 2027 is in 2026's week 53 but 2027's year and month.
  EXPECT_EQ(BucketAt(Period::kYear, Utc(2027, 1, 1, 0, 0), utc).id, "2027");
  EXPECT_EQ(BucketAt(Period::kMonth, Utc(2027, 1, 1, 0, 0), utc).id, "2027-01");
  EXPECT_EQ(BucketAt(Period::kAllTime, Utc(2027, 1, 1, 0, 0), utc).id, "all");
}

TEST(BucketAtTest, WeekStartsMondayMidnightLocalTime) {
  const absl::TimeZone moscow = Zone("Europe/Moscow");  // UTC+3
  // Sunday 23:59 local vs Monday 00:01 local, 2026-11-29/30.
  EXPECT_EQ(BucketAt(Period::kWeek, Utc(2026, 11, 29, 20, 59), moscow).id, "2026-W48");
  EXPECT_EQ(BucketAt(Period::kWeek, Utc(2026, 11, 29, 21, 1), moscow).id, "2026-W49");
}

TEST(ShiftBucketTest, MovesAcrossMonthAndYearEnds) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const PeriodBucket jan = BucketAt(Period::kMonth, Utc(2027, 1, 15, 0, 0), utc);
  EXPECT_EQ(ShiftBucket(jan, -1).id, "2026-12");
  EXPECT_EQ(ShiftBucket(jan, 13).id, "2028-02");
  const PeriodBucket w53 = BucketAt(Period::kWeek, Utc(2026, 12, 30, 0, 0), utc);
  EXPECT_EQ(ShiftBucket(w53, 1).id, "2027-W01");
  EXPECT_EQ(ShiftBucket(w53, -1).id, "2026-W52");
}

TEST(ParseBucketTest, RoundTripsValidIdsAndRefusesOthers) {
  for (const auto& [period, id] : std::vector<std::pair<Period, std::string>>{
           {Period::kAllTime, "all"},
           {Period::kYear, "2026"},
           {Period::kMonth, "2026-02"},
           {Period::kWeek, "2026-W53"},
           {Period::kWeek, "2027-W01"},
           {Period::kDay, "2024-02-29"}}) {
    const auto bucket = ParseBucket(period, id, "bucket");
    ASSERT_TRUE(bucket.ok()) << id << ": " << bucket.status();
    EXPECT_EQ(bucket->id, id);
  }
  for (const auto& [period, id] : std::vector<std::pair<Period, std::string>>{
           {Period::kAllTime, "2026"},
           {Period::kYear, "26"},
           {Period::kMonth, "2026-13"},
           {Period::kMonth, "2026-1"},
           {Period::kWeek, "2027-W53"},  // 2027 has 52 ISO weeks
           {Period::kWeek, "2026-48"},
           {Period::kDay, "2026-02-30"},
           {Period::kDay, "2026/11/27"},
           {Period::kDay, "2026-11-2x"}}) {
    const auto bucket = ParseBucket(period, id, "bucket");
    EXPECT_EQ(bucket.status().code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_NE(bucket.status().message().find("bucket:"), std::string::npos);
  }
}

TEST(RetentionTest, KeepsTheConfiguredNumberOfPastBuckets) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const Retention retention;  // 14 days, 10 weeks, 13 months, 5 years
  const PeriodBucket day = *ParseBucket(Period::kDay, "2026-11-01", "b");
  EXPECT_EQ(RetainedUntil(day, retention, utc), Utc(2026, 11, 16, 0, 0));
  const PeriodBucket month = *ParseBucket(Period::kMonth, "2026-11", "b");
  EXPECT_EQ(RetainedUntil(month, retention, utc), Utc(2028, 1, 1, 0, 0));
  const PeriodBucket all = *ParseBucket(Period::kAllTime, "all", "b");
  EXPECT_EQ(RetainedUntil(all, retention, utc), absl::InfiniteFuture());
}

TEST(BucketKeyTest, NamesPeriodAndBucket) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time t = Utc(2026, 11, 27, 12, 0);
  EXPECT_EQ(BucketKey(BucketAt(Period::kAllTime, t, utc)), "all");
  EXPECT_EQ(BucketKey(BucketAt(Period::kYear, t, utc)), "y:2026");
  EXPECT_EQ(BucketKey(BucketAt(Period::kMonth, t, utc)), "m:2026-11");
  EXPECT_EQ(BucketKey(BucketAt(Period::kWeek, t, utc)), "w:2026-W48");
  EXPECT_EQ(BucketKey(BucketAt(Period::kDay, t, utc)), "d:2026-11-27");
}

TEST(LoadTenantTimeZoneTest, RejectsUnknownZones) {
  const auto zone = LoadTenantTimeZone("time_zone", "Mars/Olympus_Mons");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zone.status().message().find("time_zone"), std::string::npos);
  EXPECT_FALSE(LoadTenantTimeZone("time_zone", "").ok());
}

}  // namespace
}  // namespace plaudit
