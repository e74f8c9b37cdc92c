// LeaderboardService: where employees stand (thin adapter: validation,
// bucket resolution, paging tokens; the store does the reading).
#ifndef PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_SERVICE_H_
#define PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_SERVICE_H_

#include "services/common/arena_allocator.h"
#include "services/common/call_guard.h"
#include "plaudit/v1/leaderboard_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/common/clock.h"
#include "services/leaderboards/board_calendar.h"
#include "services/leaderboards/leaderboard_store.h"
#include "services/metrics/metrics.h"

namespace plaudit {

inline constexpr int kMaxNeighbors = 50;

// The two reads employees make most answer through gRPC's callback API (no
// thread waits for Redis); the rest are plain synchronous handlers.
class LeaderboardService final
    : public v1::LeaderboardService::WithCallbackMethod_GetLeaderboard<
          v1::LeaderboardService::WithCallbackMethod_GetRank<
              v1::LeaderboardService::Service>> {
 public:
  LeaderboardService(ForTenant<LeaderboardStore> stores,
                     const CallGuard* guard, AuditLog* audit, Metrics* metrics,
                     const BoardCalendar* calendar, Clock clock)
      : stores_(std::move(stores)),
        guard_(guard),
        audit_(audit),
        metrics_(metrics),
        calendar_(calendar),
        clock_(std::move(clock)) {
    SetMessageAllocatorFor_GetLeaderboard(&page_messages_);
    SetMessageAllocatorFor_GetRank(&rank_messages_);
  }

  grpc::ServerUnaryReactor* GetLeaderboard(
      grpc::CallbackServerContext* context,
      const v1::GetLeaderboardRequest* request,
      v1::GetLeaderboardResponse* response) override;
  grpc::ServerUnaryReactor* GetRank(grpc::CallbackServerContext* context,
                                    const v1::GetRankRequest* request,
                                    v1::GetRankResponse* response) override;
  grpc::Status ListScopes(grpc::ServerContext* context,
                          const v1::ListScopesRequest* request,
                          v1::ListScopesResponse* response) override;
  grpc::Status SetUserVisibility(
      grpc::ServerContext* context, const v1::SetUserVisibilityRequest* request,
      v1::SetUserVisibilityResponse* response) override;

 private:
  // Validates scope, period and bucket; the current bucket when empty.
  absl::StatusOr<PeriodBucket> ResolveBoard(const std::string& scope,
                                            v1::Period period,
                                            const std::string& bucket) const;

  ForTenant<LeaderboardStore> stores_;
  const CallGuard* guard_;
  AuditLog* audit_;
  Metrics* metrics_;
  const BoardCalendar* calendar_;
  const Clock clock_;
  ArenaAllocator<v1::GetLeaderboardRequest, v1::GetLeaderboardResponse>
      page_messages_;
  ArenaAllocator<v1::GetRankRequest, v1::GetRankResponse> rank_messages_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_SERVICE_H_
