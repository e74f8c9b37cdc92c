#include "services/analytics/analytics_service.h"

#include "absl/strings/str_cat.h"
#include "services/analytics/engagement.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"
#include "services/leaderboards/board_request.h"

namespace plaudit {

absl::StatusOr<std::vector<v1::Engagement>> AnalyticsService::Series(
    const std::string& tenant, const std::string& scope, v1::Period period,
    const std::string& bucket, int count) {
  if (period == v1::ALL_TIME) {
    return InvalidField("period", "must be YEAR, MONTH, WEEK or DAY");
  }
  const absl::Time now = clock_();
  const std::shared_ptr<const BoardCalendar> calendar =
      calendars_(tenant).Calendar();
  absl::StatusOr<PeriodBucket> last =
      ResolveBucket(*calendar, scope, period, bucket, now);
  if (!last.ok()) return last.status();
  const std::vector<PeriodBucket> buckets =
      SeriesBuckets(*last, count, calendar->retention(), calendar->zone(), now);
  std::vector<std::string> keys;
  for (const PeriodBucket& b : buckets) keys.push_back(BucketKey(b));
  absl::StatusOr<std::vector<v1::EngagementFigures>> figures =
      stores_(tenant).Read(scope, keys);
  if (!figures.ok()) return figures.status();
  return AssembleSeries(scope, period, buckets, *figures, count,
                        min_active_users_(tenant));
}

AnalyticsService::AnalyticsService(ForTenant<EngagementStore> stores,
                                   CallGate gate,
                                   ForTenant<const CalendarSource> calendars,
                                   PrivacyMinimum min_active_users, Clock clock)
    : RpcService(v1::AnalyticsService::service_full_name(), gate),
      stores_(std::move(stores)),
      calendars_(std::move(calendars)),
      min_active_users_(std::move(min_active_users)),
      clock_(std::move(clock)) {
  Handle("GetEngagement", &AnalyticsService::GetEngagement);
  Handle("GetEngagementSeries", &AnalyticsService::GetEngagementSeries);
  Handle("GetTeamFigures", &AnalyticsService::GetTeamFigures);
}

absl::Status AnalyticsService::GetEngagement(
    const Caller& caller, const v1::GetEngagementRequest& request,
    v1::GetEngagementResponse* response) {
  absl::StatusOr<std::vector<v1::Engagement>> series = Series(
      caller.tenant, request.scope(), request.period(), request.bucket(), 1);
  if (!series.ok()) return series.status();
  *response->mutable_engagement() = std::move(series->back());
  return absl::OkStatus();
}

absl::Status AnalyticsService::GetEngagementSeries(
    const Caller& caller, const v1::GetEngagementSeriesRequest& request,
    v1::GetEngagementSeriesResponse* response) {
  if (request.buckets() < 1 || request.buckets() > kMaxSeriesBuckets) {
    return InvalidField(
        "buckets", absl::StrCat("must be 1 to ", kMaxSeriesBuckets, ", got ",
                                request.buckets()));
  }
  absl::StatusOr<std::vector<v1::Engagement>> series =
      Series(caller.tenant, request.scope(), request.period(), request.bucket(),
             request.buckets());
  if (!series.ok()) return series.status();
  for (auto& engagement : *series) {
    *response->add_series() = std::move(engagement);
  }
  return absl::OkStatus();
}

absl::Status AnalyticsService::GetTeamFigures(
    const Caller& caller, const v1::GetTeamFiguresRequest& request,
    v1::GetTeamFiguresResponse* response) {
  if (auto s = ValidateId("manager_id", request.manager_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<PeriodBucket> bucket =
      ResolveBucket(*calendars_(caller.tenant).Calendar(), "global",
                    request.period(), request.bucket(), clock_());
  if (!bucket.ok()) return bucket.status();
  absl::StatusOr<EngagementStore::TeamRead> read =
      stores_(caller.tenant)
          .Team(request.manager_id(), caller.as_manager ? caller.actor : "",
                BucketKey(*bucket), request.include_indirect());
  if (!read.ok()) return read.status();
  *response->mutable_team() =
      AssembleTeam(request.manager_id(), request.period(), bucket->id,
                   std::move(read->members));
  response->mutable_team()->set_truncated(read->truncated);
  return absl::OkStatus();
}

}  // namespace plaudit
