// Pure engagement arithmetic: growth against the previous bucket and the
// privacy rule that withholds figures of small groups.
#ifndef PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_H_
#define PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "plaudit/v1/analytics_service.pb.h"
#include "services/common/period.h"

namespace plaudit {

// Percent changes; a field stays unset where the previous figure was 0.
v1::Growth ComputeGrowth(const v1::EngagementFigures& current,
                         const v1::EngagementFigures& previous);

// Groups with fewer than `min_active_users` active users are withheld, so
// that figures never single out a few people. "global" never is.
bool ShouldWithhold(const std::string& scope,
                    const v1::EngagementFigures& figures, int min_active_users);

// Fills `engagement` from the two buckets' figures, withholding as needed.
void ComposeEngagement(const std::string& scope,
                       const v1::EngagementFigures& current,
                       const v1::EngagementFigures& previous,
                       int min_active_users, v1::Engagement* engagement);

// The buckets a series of `count` ending with `last` reads, oldest first:
// the one before the first too (for the first's growth), and only those
// still retained at `now`.
std::vector<PeriodBucket> SeriesBuckets(const PeriodBucket& last, int count,
                                        const Retention& retention,
                                        absl::TimeZone zone, absl::Time now);

// The series from the figures of SeriesBuckets' buckets (same order): at
// most `count` entries, each with its growth over the bucket before it.
std::vector<v1::Engagement> AssembleSeries(
    const std::string& scope, v1::Period period,
    const std::vector<PeriodBucket>& buckets,
    const std::vector<v1::EngagementFigures>& figures, int count,
    int min_active_users);

// A team's figures from its members' points in `bucket`: best first (equal
// points by user id), the total, who scored and who went quiet.
v1::TeamFigures AssembleTeam(const std::string& manager_id, v1::Period period,
                             const std::string& bucket,
                             std::vector<v1::TeamMember> members);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_H_
