#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plaudit/v1/analytics_service.grpc.pb.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

namespace {

std::string Change(bool has, double percent) {
  return has ? absl::StrFormat(" (%+.1f%%)", percent) : "";
}

}  // namespace

absl::Status ShowStats(const Connection& c, const std::string& scope,
                       v1::Period period, const std::string& bucket) {
  v1::GetEngagementRequest request;
  request.set_scope(scope);
  request.set_period(period);
  request.set_bucket(bucket);
  absl::StatusOr<v1::GetEngagementResponse> response =
      Call(c, &v1::AnalyticsService::Stub::GetEngagement, request);
  if (!response.ok()) return response.status();
  const v1::Engagement& e = response->engagement();
  *c.out << absl::StrFormat("%s, %s %s\n", scope,
                            absl::AsciiStrToLower(v1::Period_Name(period)),
                            e.bucket());
  if (e.withheld()) {
    *c.out << "  withheld: too few active users to show figures\n";
    return absl::OkStatus();
  }
  const v1::EngagementFigures& f = e.figures();
  const v1::Growth& g = e.growth();
  *c.out << absl::StrFormat("  active users     %8d%s\n", f.active_users(),
                            Change(g.has_active_users(), g.active_users()))
         << absl::StrFormat("  events           %8d%s\n", f.events(),
                            Change(g.has_events(), g.events()))
         << absl::StrFormat("  points awarded   %8d%s\n", f.points_awarded(),
                            Change(g.has_points_awarded(), g.points_awarded()))
         << absl::StrFormat("  points redeemed  %8d\n", f.points_redeemed())
         << absl::StrFormat("  participants     %8d%s\n", f.participants(),
                            Change(g.has_participants(), g.participants()));
  std::map<std::string, int64_t> actions(f.events_by_action().begin(),
                                         f.events_by_action().end());
  for (const auto& [action, count] : actions) {
    *c.out << absl::StrFormat("    %-22s %6d\n", action, count);
  }
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
