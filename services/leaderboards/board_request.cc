#include "services/leaderboards/board_request.h"

#include "absl/strings/str_cat.h"
#include "services/common/error_reason.h"
#include "services/common/validation.h"

namespace plaudit {

absl::Status ValidateScope(const std::string& scope) {
  if (scope == "global") return absl::OkStatus();
  if (scope.empty()) {
    return InvalidField("scope",
                        "is required: \"global\" or a group such as "
                        "\"dept:sales\"");
  }
  return ValidateGroup("scope", scope);
}

absl::Status UnknownScope(const std::string& scope) {
  return WithReason(absl::NotFoundError(absl::StrCat(
                        "scope ", scope, ": no user belongs to this group")),
                    "SCOPE_NOT_FOUND");
}

absl::StatusOr<Period> PeriodFromProto(v1::Period period) {
  switch (period) {
    case v1::ALL_TIME:
      return Period::kAllTime;
    case v1::YEAR:
      return Period::kYear;
    case v1::MONTH:
      return Period::kMonth;
    case v1::WEEK:
      return Period::kWeek;
    case v1::DAY:
      return Period::kDay;
    default:
      return InvalidField("period",
                          "must be ALL_TIME, YEAR, MONTH, WEEK or DAY");
  }
}

v1::Period PeriodToProto(Period period) {
  return static_cast<v1::Period>(static_cast<int>(period) + 1);
}

absl::StatusOr<PeriodBucket> ResolveBucket(const BoardCalendar& calendar,
                                           const std::string& scope,
                                           v1::Period period,
                                           const std::string& bucket,
                                           absl::Time now) {
  if (auto s = ValidateScope(scope); !s.ok()) return s;
  if (auto s = calendar.CheckScopeKept(scope); !s.ok()) return s;
  absl::StatusOr<Period> resolved = PeriodFromProto(period);
  if (!resolved.ok()) return resolved.status();
  if (bucket.empty()) {
    PeriodBucket current = BucketAt(*resolved, now, calendar.zone());
    if (auto s = calendar.CheckReadable(current, now); !s.ok()) return s;
    return current;
  }
  absl::StatusOr<PeriodBucket> parsed =
      ParseBucket(*resolved, bucket, "bucket");
  if (!parsed.ok()) return parsed.status();
  if (auto s = calendar.CheckReadable(*parsed, now); !s.ok()) return s;
  return parsed;
}

double Percentile(int64_t rank, int64_t participants) {
  if (participants <= 0 || rank < 1) return 0;
  return 100.0 * static_cast<double>(participants - rank + 1) /
         static_cast<double>(participants);
}

}  // namespace plaudit
