#include "services/common/period.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

TEST(DayBucketTest, UsesTheTenantsLocalDay) {
  const absl::TimeZone yekaterinburg =
      *LoadTenantTimeZone("time_zone", "Asia/Yekaterinburg");  // UTC+5
  // 20:30 UTC on Nov 27 is already Nov 28 in Yekaterinburg.
  EXPECT_EQ(DayBucket(Utc(2026, 11, 27, 18, 59), yekaterinburg), "20261127");
  EXPECT_EQ(DayBucket(Utc(2026, 11, 27, 19, 0), yekaterinburg), "20261128");
}

TEST(DayBucketTest, DayBoundaryAcrossDstChange) {
  const absl::TimeZone new_york =
      *LoadTenantTimeZone("time_zone", "America/New_York");
  // DST starts 2026-03-08 02:00 local: that day is 23 hours long.
  // 23:59 EST on Mar 7 = 04:59 UTC Mar 8; 00:01 EST on Mar 8 = 05:01 UTC.
  EXPECT_EQ(DayBucket(Utc(2026, 3, 8, 4, 59), new_york), "20260307");
  EXPECT_EQ(DayBucket(Utc(2026, 3, 8, 5, 1), new_york), "20260308");
  // 23:59 EDT on Mar 8 = 03:59 UTC Mar 9 (offset changed during the day).
  EXPECT_EQ(DayBucket(Utc(2026, 3, 9, 3, 59), new_york), "20260308");
  EXPECT_EQ(DayBucket(Utc(2026, 3, 9, 4, 1), new_york), "20260309");
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
