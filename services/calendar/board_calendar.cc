#include "services/calendar/board_calendar.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/error_reason.h"

namespace plaudit {

BoardCalendar::BoardCalendar(absl::TimeZone zone, Retention retention,
                             std::vector<Period> kept,
                             std::vector<std::string> kept_scopes)
    : zone_(zone), retention_(retention), kept_scopes_(std::move(kept_scopes)) {
  for (Period period : kAllPeriods) {
    kept_[static_cast<int>(period)] = kept.empty();
  }
  for (Period period : kept) kept_[static_cast<int>(period)] = true;
}

absl::Status BoardCalendar::CheckScopeKept(const std::string& scope) const {
  if (kept_scopes_.empty()) return absl::OkStatus();
  for (const std::string& kept : kept_scopes_) {
    if (kept == scope ||
        (absl::EndsWith(kept, ":") && absl::StartsWith(scope, kept))) {
      return absl::OkStatus();
    }
  }
  return WithReason(absl::FailedPreconditionError(absl::StrCat(
                        "scope: this tenant keeps no boards or figures of ",
                        scope, " (TenantSettings.scopes)")),
                    "SCOPE_NOT_KEPT");
}

BoardBucket BoardCalendar::Make(const PeriodBucket& bucket) const {
  const absl::Time until = RetainedUntil(bucket, retention_, zone_);
  return {BucketKey(bucket),
          until == absl::InfiniteFuture() ? 0 : absl::ToUnixMillis(until)};
}

std::vector<BoardBucket> BoardCalendar::BucketsAt(absl::Time t,
                                                  absl::Time now) const {
  std::vector<BoardBucket> buckets;
  buckets.reserve(5);
  for (Period period : kAllPeriods) {
    if (!Keeps(period)) continue;
    BoardBucket bucket = Make(BucketAt(period, t, zone_));
    if (bucket.retained_until_ms == 0 ||
        bucket.retained_until_ms > absl::ToUnixMillis(now)) {
      buckets.push_back(std::move(bucket));
    }
  }
  return buckets;
}

std::vector<BoardBucket> BoardCalendar::RetainedBuckets(
    absl::Time now, absl::Duration ahead) const {
  std::vector<BoardBucket> buckets;
  for (Period period : kAllPeriods) {
    if (!Keeps(period)) continue;
    PeriodBucket bucket = BucketAt(period, now + ahead, zone_);
    buckets.push_back(Make(bucket));
    if (period == Period::kAllTime) continue;
    // Walk back while a bucket is still readable.
    for (bucket = ShiftBucket(bucket, -1);
         RetainedUntil(bucket, retention_, zone_) > now;
         bucket = ShiftBucket(bucket, -1)) {
      buckets.push_back(Make(bucket));
    }
  }
  return buckets;
}

absl::Status BoardCalendar::CheckReadable(const PeriodBucket& bucket,
                                          absl::Time now) const {
  if (!Keeps(bucket.period)) {
    return WithReason(
        absl::FailedPreconditionError(
            "period: this tenant keeps no boards or figures of this period "
            "(TenantSettings.periods)"),
        "PERIOD_NOT_KEPT");
  }
  if (BucketStart(bucket, zone_) > now) {
    return absl::InvalidArgumentError(
        absl::StrCat("bucket: ", bucket.id, " is in the future"));
  }
  if (RetainedUntil(bucket, retention_, zone_) <= now) {
    return WithReason(
        absl::NotFoundError(absl::StrCat(
            "bucket ", bucket.id, " is beyond retention and no longer kept")),
        "BUCKET_EXPIRED");
  }
  return absl::OkStatus();
}

}  // namespace plaudit
