#include "services/common/period.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

absl::CivilDay MondayOf(absl::CivilDay day) {
  return day - ((static_cast<int>(absl::GetWeekday(day)) -
                 static_cast<int>(absl::Weekday::monday) + 7) %
                7);
}

// ISO 8601: a week belongs to the year of its Thursday.
std::string IsoWeekId(absl::CivilDay monday) {
  const absl::CivilDay thursday = monday + 3;
  const int week = (absl::GetYearDay(thursday) - 1) / 7 + 1;
  return absl::StrFormat("%04d-W%02d", thursday.year(), week);
}

absl::CivilDay IsoWeekMonday(int year, int week) {
  const absl::CivilDay jan4(year, 1, 4);  // always in week 1
  return MondayOf(jan4) + 7 * (week - 1);
}

PeriodBucket Make(Period period, absl::CivilDay first_day) {
  PeriodBucket bucket{period, "", first_day};
  switch (period) {
    case Period::kAllTime:
      bucket.id = "all";
      break;
    case Period::kYear:
      bucket.id = absl::StrFormat("%04d", first_day.year());
      break;
    case Period::kMonth:
      bucket.id = absl::StrFormat("%04d-%02d", first_day.year(), first_day.month());
      break;
    case Period::kWeek:
      bucket.id = IsoWeekId(first_day);
      break;
    case Period::kDay:
      bucket.id = absl::StrFormat("%04d-%02d-%02d", first_day.year(),
                                  first_day.month(), first_day.day());
      break;
  }
  return bucket;
}

bool ParseInt(absl::string_view text, size_t digits, int* value) {
  return text.size() == digits &&
         text.find_first_not_of("0123456789") == absl::string_view::npos &&
         absl::SimpleAtoi(text, value);
}

}  // namespace

absl::StatusOr<absl::TimeZone> LoadTenantTimeZone(absl::string_view field,
                                                  absl::string_view name) {
  absl::TimeZone zone;
  if (name.empty() || !absl::LoadTimeZone(std::string(name), &zone)) {
    return InvalidField(field, "is not a known IANA time zone, e.g. "
                               "Europe/Berlin");
  }
  return zone;
}

PeriodBucket BucketAt(Period period, absl::Time t, absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(t, zone);
  switch (period) {
    case Period::kAllTime:
      return Make(period, absl::CivilDay());
    case Period::kYear:
      return Make(period, absl::CivilDay(day.year(), 1, 1));
    case Period::kMonth:
      return Make(period, absl::CivilDay(day.year(), day.month(), 1));
    case Period::kWeek:
      return Make(period, MondayOf(day));
    case Period::kDay:
      return Make(period, day);
  }
  return Make(period, day);
}

PeriodBucket ShiftBucket(const PeriodBucket& bucket, int steps) {
  const absl::CivilDay d = bucket.first_day;
  switch (bucket.period) {
    case Period::kAllTime:
      return bucket;
    case Period::kYear:
      return Make(bucket.period, absl::CivilDay(d.year() + steps, 1, 1));
    case Period::kMonth:
      return Make(bucket.period,
                  absl::CivilDay(absl::CivilMonth(d) + steps));
    case Period::kWeek:
      return Make(bucket.period, d + 7 * steps);
    case Period::kDay:
      return Make(bucket.period, d + steps);
  }
  return bucket;
}

absl::Time BucketStart(const PeriodBucket& bucket, absl::TimeZone zone) {
  if (bucket.period == Period::kAllTime) return absl::InfinitePast();
  return absl::FromCivil(bucket.first_day, zone);
}

absl::Time BucketEnd(const PeriodBucket& bucket, absl::TimeZone zone) {
  if (bucket.period == Period::kAllTime) return absl::InfiniteFuture();
  return BucketStart(ShiftBucket(bucket, 1), zone);
}

absl::StatusOr<PeriodBucket> ParseBucket(Period period, absl::string_view id,
                                         absl::string_view field) {
  int year = 0, month = 1, day = 1, week = 1;
  bool ok = false;
  absl::CivilDay first;
  switch (period) {
    case Period::kAllTime:
      if (id == "all") return Make(period, absl::CivilDay());
      break;
    case Period::kYear:
      ok = ParseInt(id, 4, &year);
      first = absl::CivilDay(year, 1, 1);
      break;
    case Period::kMonth:
      ok = id.size() == 7 && id[4] == '-' && ParseInt(id.substr(0, 4), 4, &year) &&
           ParseInt(id.substr(5), 2, &month);
      first = absl::CivilDay(year, month, 1);
      break;
    case Period::kWeek:
      ok = id.size() == 8 && id.substr(4, 2) == "-W" &&
           ParseInt(id.substr(0, 4), 4, &year) &&
           ParseInt(id.substr(6), 2, &week) && week >= 1 && week <= 53;
      first = IsoWeekMonday(year, week);
      break;
    case Period::kDay:
      ok = id.size() == 10 && id[4] == '-' && id[7] == '-' &&
           ParseInt(id.substr(0, 4), 4, &year) &&
           ParseInt(id.substr(5, 2), 2, &month) &&
           ParseInt(id.substr(8), 2, &day);
      first = absl::CivilDay(year, month, day);
      break;
  }
  // Civil types normalise (Feb 30 -> Mar 2, W53 -> next year's W01): a
  // bucket exists only if it prints back as the id it was parsed from.
  const PeriodBucket bucket = Make(period, first);
  if (!ok || bucket.id != id) {
    static constexpr const char* kFormats[] = {"all", "YYYY", "YYYY-MM",
                                               "YYYY-Www (ISO week)",
                                               "YYYY-MM-DD"};
    return InvalidField(
        field, absl::StrCat("\"", id, "\" is not a bucket of this period; "
                            "expected ", kFormats[static_cast<int>(period)]));
  }
  return bucket;
}

absl::Time RetainedUntil(const PeriodBucket& bucket, const Retention& retention,
                         absl::TimeZone zone) {
  int kept = 0;
  switch (bucket.period) {
    case Period::kAllTime:
      return absl::InfiniteFuture();
    case Period::kYear:
      kept = retention.years;
      break;
    case Period::kMonth:
      kept = retention.months;
      break;
    case Period::kWeek:
      kept = retention.weeks;
      break;
    case Period::kDay:
      kept = retention.days;
      break;
  }
  return BucketEnd(ShiftBucket(bucket, kept), zone);
}

std::string BucketKey(const PeriodBucket& bucket) {
  static constexpr const char* kPrefix[] = {"", "y:", "m:", "w:", "d:"};
  return absl::StrCat(kPrefix[static_cast<int>(bucket.period)], bucket.id);
}

}  // namespace plaudit
