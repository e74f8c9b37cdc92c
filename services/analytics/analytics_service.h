// AnalyticsService: the engagement figures HR reads (thin adapter).
#ifndef PLAUDIT_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_
#define PLAUDIT_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_

#include <functional>
#include <string>
#include <vector>

#include "plaudit/v1/analytics_service.grpc.pb.h"
#include "services/analytics/engagement_store.h"
#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

inline constexpr int kMaxSeriesBuckets = 60;

class AnalyticsService final : public RpcService {
 public:
  // Each tenant's calendar and its privacy minimum (fewer active users:
  // figures withheld) come from its settings.
  using PrivacyMinimum = std::function<int(const std::string& tenant)>;
  AnalyticsService(ForTenant<EngagementStore> stores, CallGate gate,
                   ForTenant<const CalendarSource> calendars,
                   PrivacyMinimum min_active_users, Clock clock);

  absl::Status GetEngagement(const Caller& caller,
                             const v1::GetEngagementRequest& request,
                             v1::GetEngagementResponse* response);
  absl::Status GetEngagementSeries(
      const Caller& caller, const v1::GetEngagementSeriesRequest& request,
      v1::GetEngagementSeriesResponse* response);
  absl::Status GetTeamFigures(const Caller& caller,
                              const v1::GetTeamFiguresRequest& request,
                              v1::GetTeamFiguresResponse* response);

 private:
  // Engagement of the `count` buckets ending at the requested one, oldest
  // first (buckets beyond retention left out).
  absl::StatusOr<std::vector<v1::Engagement>> Series(const std::string& tenant,
                                                     const std::string& scope,
                                                     v1::Period period,
                                                     const std::string& bucket,
                                                     int count);

  ForTenant<EngagementStore> stores_;
  ForTenant<const CalendarSource> calendars_;
  const PrivacyMinimum min_active_users_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_
