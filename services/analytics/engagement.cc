#include "services/analytics/engagement.h"

namespace plaudit {
namespace {

template <typename Setter>
void SetChange(int64_t current, int64_t previous, Setter set) {
  if (previous == 0) return;
  set(100.0 * static_cast<double>(current - previous) /
      static_cast<double>(previous));
}

}  // namespace

v1::Growth ComputeGrowth(const v1::EngagementFigures& current,
                         const v1::EngagementFigures& previous) {
  v1::Growth growth;
  SetChange(current.active_users(), previous.active_users(),
            [&](double v) { growth.set_active_users(v); });
  SetChange(current.events(), previous.events(),
            [&](double v) { growth.set_events(v); });
  SetChange(current.points_awarded(), previous.points_awarded(),
            [&](double v) { growth.set_points_awarded(v); });
  SetChange(current.participants(), previous.participants(),
            [&](double v) { growth.set_participants(v); });
  return growth;
}

bool ShouldWithhold(const std::string& scope,
                    const v1::EngagementFigures& figures,
                    int min_active_users) {
  return scope != "global" && figures.active_users() < min_active_users;
}

void ComposeEngagement(const std::string& scope,
                       const v1::EngagementFigures& current,
                       const v1::EngagementFigures& previous,
                       int min_active_users, v1::Engagement* engagement) {
  if (ShouldWithhold(scope, current, min_active_users)) {
    engagement->set_withheld(true);
    return;
  }
  *engagement->mutable_figures() = current;
  if (ShouldWithhold(scope, previous, min_active_users)) return;
  *engagement->mutable_previous() = previous;
  *engagement->mutable_growth() = ComputeGrowth(current, previous);
}

}  // namespace plaudit
