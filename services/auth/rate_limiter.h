// A token bucket per API key, kept in this process: a runaway portal is
// slowed down without a Redis round trip per call. With N replicas behind a
// balancer a key gets up to N x the rate: configure rate / N.
#ifndef PLAUDIT_SERVICES_AUTH_RATE_LIMITER_H_
#define PLAUDIT_SERVICES_AUTH_RATE_LIMITER_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace plaudit {

struct RateLimit {
  double per_second = 0;  // 0 = unlimited
  double burst = 0;       // bucket size; at least 1
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  // Takes a token for `key` at `now`; when none is left, how long until one
  // is (and nothing is taken).
  absl::Duration Acquire(const std::string& key, absl::Time now);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };
  const RateLimit limit_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_RATE_LIMITER_H_
