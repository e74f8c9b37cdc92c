// For tests that run plauditd as a process (kill -9, several replicas):
// its clock read from a file the test writes (unix milliseconds), so that
// leases, retries and claims run on the test's time, never on real waits.
// A missing or unreadable file reads as the system's time.
#ifndef PLAUDIT_SERVICES_PLAUDITD_FILE_CLOCK_H_
#define PLAUDIT_SERVICES_PLAUDITD_FILE_CLOCK_H_

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/common/clock.h"

namespace plaudit {

inline Clock FileClock(std::string path) {
  struct State {
    std::string path;
    absl::Mutex mu;
    absl::Time read_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
    absl::Time now ABSL_GUARDED_BY(mu);
    bool from_file ABSL_GUARDED_BY(mu) = false;
  };
  auto state = std::make_shared<State>();
  state->path = std::move(path);
  return [state]() {
    absl::MutexLock lock(&state->mu);
    const absl::Time real = absl::Now();
    // Read again at most every few milliseconds.
    if (real - state->read_at > absl::Milliseconds(5)) {
      state->read_at = real;
      std::ifstream in(state->path);
      std::string text;
      int64_t ms = 0;
      state->from_file = static_cast<bool>(in >> text) &&
                         absl::SimpleAtoi(text, &ms) && ms > 0;
      if (state->from_file) state->now = absl::FromUnixMillis(ms);
    }
    return state->from_file ? state->now : real;
  };
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_PLAUDITD_FILE_CLOCK_H_
