// LeaderboardService: where employees stand (thin adapter: validation,
// bucket resolution, paging tokens; the store does the reading).
#ifndef PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_SERVICE_H_
#define PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_SERVICE_H_

#include "plaudit/v1/leaderboard_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/leaderboards/leaderboard_store.h"
#include "services/metrics/metrics.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

inline constexpr int kMaxNeighbors = 50;

// The two reads employees make most answer later, from the Redis lane's
// callback (no thread waits for Redis); the rest are plain blocking bodies.
class LeaderboardService final : public RpcService {
 public:
  LeaderboardService(ForTenant<LeaderboardStore> stores, CallGate gate,
                     AuditLog* audit, Metrics* metrics,
                     ForTenant<const CalendarSource> calendars, Clock clock);

  void GetLeaderboard(const Caller& caller,
                      const v1::GetLeaderboardRequest& request,
                      v1::GetLeaderboardResponse* response, Reply reply);
  void GetRank(const Caller& caller, const v1::GetRankRequest& request,
               v1::GetRankResponse* response, Reply reply);
  absl::Status ListScopes(const Caller& caller,
                          const v1::ListScopesRequest& request,
                          v1::ListScopesResponse* response);
  absl::Status SetUserVisibility(const Caller& caller,
                                 const v1::SetUserVisibilityRequest& request,
                                 v1::SetUserVisibilityResponse* response);

 private:
  // Validates scope, period and bucket; the current bucket when empty.
  absl::StatusOr<PeriodBucket> ResolveBoard(const std::string& tenant,
                                            const std::string& scope,
                                            v1::Period period,
                                            const std::string& bucket) const;

  ForTenant<LeaderboardStore> stores_;
  AuditLog* audit_;
  Metrics* metrics_;
  ForTenant<const CalendarSource> calendars_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_SERVICE_H_
