// What every request about a scope and period bucket shares (leaderboards,
// engagement figures): the scope, the period and which bucket is meant.
#ifndef PLAUDIT_SERVICES_LEADERBOARDS_BOARD_REQUEST_H_
#define PLAUDIT_SERVICES_LEADERBOARDS_BOARD_REQUEST_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "plaudit/v1/leaderboard_service.pb.h"
#include "services/calendar/board_calendar.h"
#include "services/common/period.h"

namespace plaudit {

// "global" or a group such as "dept:sales".
absl::Status ValidateScope(const std::string& scope);
// NOT_FOUND for a group no synced user ever belonged to.
absl::Status UnknownScope(const std::string& scope);
absl::StatusOr<Period> PeriodFromProto(v1::Period period);
v1::Period PeriodToProto(Period period);

// Validates scope and period; returns the bucket `bucket` names (readable:
// not in the future, not beyond retention) or, when empty, the current one.
absl::StatusOr<PeriodBucket> ResolveBucket(const BoardCalendar& calendar,
                                           const std::string& scope,
                                           v1::Period period,
                                           const std::string& bucket,
                                           absl::Time now);

// The share of the board's participants a rank is ahead of or level with,
// in percent: 100 for the first, 100 / participants for the last, 0 for an
// empty board.
double Percentile(int64_t rank, int64_t participants);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_LEADERBOARDS_BOARD_REQUEST_H_
