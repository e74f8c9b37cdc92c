// Pure engagement arithmetic: growth against the previous bucket and the
// privacy rule that withholds figures of small groups.
#ifndef PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_H_
#define PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_H_

#include <string>

#include "plaudit/v1/analytics_service.pb.h"

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

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_H_
