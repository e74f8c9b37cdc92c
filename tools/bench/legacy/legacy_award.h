// The award script as it was before performance round 2, for A/B benchmarks
// and the test that proves the current script leaves the same data.
#ifndef PLAUDIT_TOOLS_BENCH_LEGACY_LEGACY_AWARD_H_
#define PLAUDIT_TOOLS_BENCH_LEGACY_LEGACY_AWARD_H_

#include "services/store/lua_script.h"

namespace plaudit {

// Takes the same KEYS and ARGV as AwardScript() (AwardCall builds both).
const LuaScript& LegacyAwardScript();

// The current award script with its notification (the outbox and inbox
// writes) turned off: what telling of an award costs it.
const LuaScript& SilentAwardScript();

}  // namespace plaudit

#endif  // PLAUDIT_TOOLS_BENCH_LEGACY_LEGACY_AWARD_H_
