// Calendar buckets in the tenant's time zone: daily limits (and later
// leaderboards and engagement figures) count per local day, not UTC day.
#ifndef PLAUDIT_SERVICES_COMMON_PERIOD_H_
#define PLAUDIT_SERVICES_COMMON_PERIOD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace plaudit {

// Loads an IANA zone such as "Europe/Moscow"; INVALID_ARGUMENT naming `field`
// when unknown.
absl::StatusOr<absl::TimeZone> LoadTenantTimeZone(absl::string_view field,
                                                  absl::string_view name);

// The local calendar day of `t` as "YYYYMMDD".
std::string DayBucket(absl::Time t, absl::TimeZone zone);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_PERIOD_H_
