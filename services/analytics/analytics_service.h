// AnalyticsService: the engagement figures HR reads (thin adapter).
#ifndef PLAUDIT_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_
#define PLAUDIT_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_

#include "services/common/call_guard.h"
#include "plaudit/v1/analytics_service.grpc.pb.h"
#include "services/analytics/engagement_store.h"
#include "services/common/clock.h"
#include "services/leaderboards/board_calendar.h"

namespace plaudit {

inline constexpr int kMaxSeriesBuckets = 60;

class AnalyticsService final : public v1::AnalyticsService::Service {
 public:
  AnalyticsService(ForTenant<EngagementStore> stores, const CallGuard* guard,
                   const BoardCalendar* calendar, int min_active_users,
                   Clock clock)
      : stores_(std::move(stores)),
        guard_(guard),
        calendar_(calendar),
        min_active_users_(min_active_users),
        clock_(std::move(clock)) {}

  grpc::Status GetEngagement(grpc::ServerContext* context,
                             const v1::GetEngagementRequest* request,
                             v1::GetEngagementResponse* response) override;
  grpc::Status GetEngagementSeries(
      grpc::ServerContext* context,
      const v1::GetEngagementSeriesRequest* request,
      v1::GetEngagementSeriesResponse* response) override;

 private:
  // Engagement of the `count` buckets ending at the requested one, oldest
  // first (buckets beyond retention left out).
  absl::StatusOr<std::vector<v1::Engagement>> Series(EngagementStore& store,
                                                     const std::string& scope,
                                                     v1::Period period,
                                                     const std::string& bucket,
                                                     int count);

  ForTenant<EngagementStore> stores_;
  const CallGuard* guard_;
  const BoardCalendar* calendar_;
  const int min_active_users_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_
