#include "services/analytics/engagement.h"

#include <algorithm>

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

std::vector<PeriodBucket> SeriesBuckets(const PeriodBucket& last, int count,
                                        const Retention& retention,
                                        absl::TimeZone zone, absl::Time now) {
  std::vector<PeriodBucket> buckets;
  for (int step = count; step >= 0; --step) {
    PeriodBucket bucket = ShiftBucket(last, -step);
    if (RetainedUntil(bucket, retention, zone) > now) {
      buckets.push_back(std::move(bucket));
    }
  }
  return buckets;
}

std::vector<v1::Engagement> AssembleSeries(
    const std::string& scope, v1::Period period,
    const std::vector<PeriodBucket>& buckets,
    const std::vector<v1::EngagementFigures>& figures, int count,
    int min_active_users) {
  std::vector<v1::Engagement> series;
  const v1::EngagementFigures none;
  // Retention drops the oldest first: with all count + 1 buckets there, the
  // first is only the previous bucket of the series' first.
  const size_t first = buckets.size() == static_cast<size_t>(count) + 1 ? 1 : 0;
  for (size_t i = first; i < buckets.size() && i < figures.size(); ++i) {
    v1::Engagement engagement;
    engagement.set_scope(scope);
    engagement.set_period(period);
    engagement.set_bucket(buckets[i].id);
    ComposeEngagement(scope, figures[i], i > 0 ? figures[i - 1] : none,
                      min_active_users, &engagement);
    series.push_back(std::move(engagement));
  }
  return series;
}

v1::TeamFigures AssembleTeam(const std::string& manager_id, v1::Period period,
                             const std::string& bucket,
                             std::vector<v1::TeamMember> members) {
  std::sort(members.begin(), members.end(),
            [](const v1::TeamMember& a, const v1::TeamMember& b) {
              return std::make_pair(-a.points(), a.user_id()) <
                     std::make_pair(-b.points(), b.user_id());
            });
  v1::TeamFigures team;
  team.set_manager_id(manager_id);
  team.set_period(period);
  team.set_bucket(bucket);
  for (v1::TeamMember& member : members) {
    team.set_points(team.points() + member.points());
    if (member.points() != 0) {
      team.set_active_members(team.active_members() + 1);
    } else {
      team.add_quiet_user_ids(member.user_id());
    }
    *team.add_members() = std::move(member);
  }
  return team;
}

}  // namespace plaudit
