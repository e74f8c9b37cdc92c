// A token bucket per key (an API key, a peer address), kept in this
// process: a runaway portal is slowed down without a Redis round trip per
// call. With N replicas behind a balancer a key gets up to N x the rate:
// configure rate / N.
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
  // At most `max_keys` buckets are kept, whatever keys callers make up:
  // beyond, full ones (idle keys: nothing is lost) are dropped, and if none
  // is full, the less recently used half.
  explicit RateLimiter(RateLimit limit, size_t max_keys = 100'000)
      : limit_(limit), max_keys_(max_keys) {}

  // Takes a token for `key` at `now`; when none is left, how long until one
  // is (and nothing is taken).
  absl::Duration Acquire(const std::string& key, absl::Time now);
  // The same with this call's limit (a tenant's own), not the default.
  absl::Duration Acquire(const std::string& key, absl::Time now,
                         const RateLimit& limit);
  // How long until `key` has a token (zero: it has one now); takes nothing.
  absl::Duration Wait(const std::string& key, absl::Time now);
  // Buckets kept now.
  size_t size();

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
    RateLimit limit;  // the last one it was taken from with
  };
  // The bucket of `key`, refilled up to `now` at `limit`.
  Bucket& Refilled(const std::string& key, absl::Time now,
                   const RateLimit& limit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Evict(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration Until(const Bucket& bucket) const;

  const RateLimit limit_;
  const size_t max_keys_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_RATE_LIMITER_H_
