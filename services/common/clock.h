// Time is injected so that tests control it (no wall clock in logic).
#ifndef PLAUDIT_SERVICES_COMMON_CLOCK_H_
#define PLAUDIT_SERVICES_COMMON_CLOCK_H_

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace plaudit {

using Clock = std::function<absl::Time()>;

inline Clock SystemClock() { return [] { return absl::Now(); }; }

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_CLOCK_H_
