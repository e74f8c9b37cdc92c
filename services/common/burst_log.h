// Keeps a flood of alike log lines (thousands of wrong keys a second, a
// client sending garbage) to one line per key and period: the first of a
// burst is logged at once, the rest are counted and the count goes out
// with the next line after the period. Pure: the caller passes the time
// and writes the line it gets back.
#ifndef PLAUDIT_SERVICES_COMMON_BURST_LOG_H_
#define PLAUDIT_SERVICES_COMMON_BURST_LOG_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace plaudit {

class BurstLog {
 public:
  // At most one line per key every `period`; at most `max_keys` keys are
  // remembered (then they are forgotten and start again).
  explicit BurstLog(absl::Duration period, size_t max_keys = 10'000)
      : period_(period), max_keys_(max_keys) {}

  // `line` (with how many were held back since the last one) when it
  // should be logged now, else nothing.
  std::optional<std::string> Note(absl::string_view key, absl::string_view line,
                                  absl::Time now);
  // Keys remembered now.
  size_t size();

 private:
  struct Burst {
    absl::Time logged;
    int64_t held_back = 0;
  };
  const absl::Duration period_;
  const size_t max_keys_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Burst> bursts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_BURST_LOG_H_
