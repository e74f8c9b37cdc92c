// Calendar buckets in the tenant's time zone: daily limits, leaderboards and
// engagement figures count per local day, ISO week (Monday 00:00 local),
// month and year, never per UTC day.
#ifndef PLAUDIT_SERVICES_COMMON_PERIOD_H_
#define PLAUDIT_SERVICES_COMMON_PERIOD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace plaudit {

enum class Period { kAllTime, kYear, kMonth, kWeek, kDay };

inline constexpr Period kAllPeriods[] = {Period::kAllTime, Period::kYear,
                                         Period::kMonth, Period::kWeek,
                                         Period::kDay};

// One bucket of one period, e.g. week "2026-W53" = [Mon 28 Dec 2026 00:00,
// Mon 4 Jan 2027 00:00) local time. Ids: "all", "2026", "2026-11",
// "2026-W48", "2026-11-27".
struct PeriodBucket {
  Period period = Period::kAllTime;
  std::string id;
  absl::CivilDay first_day;  // unused for kAllTime
};

// How many past buckets stay readable after the current one.
struct Retention {
  int days = 14;
  int weeks = 10;
  int months = 13;
  int years = 5;
};

// Loads an IANA zone such as "Europe/Moscow"; INVALID_ARGUMENT naming `field`
// when unknown.
absl::StatusOr<absl::TimeZone> LoadTenantTimeZone(absl::string_view field,
                                                  absl::string_view name);

PeriodBucket BucketAt(Period period, absl::Time t, absl::TimeZone zone);
// The bucket `steps` buckets later (negative: earlier).
PeriodBucket ShiftBucket(const PeriodBucket& bucket, int steps);
// Local midnight starting the bucket (InfinitePast for all time) and the one
// ending it (InfiniteFuture).
absl::Time BucketStart(const PeriodBucket& bucket, absl::TimeZone zone);
absl::Time BucketEnd(const PeriodBucket& bucket, absl::TimeZone zone);

// Parses a bucket id of `period`; INVALID_ARGUMENT naming `field` when the
// format is wrong or the date does not exist ("2026-02-30", "2021-W53").
absl::StatusOr<PeriodBucket> ParseBucket(Period period, absl::string_view id,
                                         absl::string_view field);

// When a bucket stops being readable: the end of the bucket `retention`
// buckets after it. InfiniteFuture for all time.
absl::Time RetainedUntil(const PeriodBucket& bucket, const Retention& retention,
                         absl::TimeZone zone);

// "all", "y:2026", "m:2026-11", "w:2026-W48", "d:2026-11-27": the part of a
// storage key that names a bucket.
std::string BucketKey(const PeriodBucket& bucket);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_PERIOD_H_
