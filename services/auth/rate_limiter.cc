#include "services/auth/rate_limiter.h"

#include <algorithm>

namespace plaudit {

absl::Duration RateLimiter::Acquire(const std::string& key, absl::Time now) {
  if (limit_.per_second <= 0) return absl::ZeroDuration();
  const double burst = std::max(1.0, limit_.burst);
  absl::MutexLock lock(&mu_);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst, now});
  Bucket& bucket = it->second;
  if (!fresh && now > bucket.refilled) {
    bucket.tokens = std::min(
        burst, bucket.tokens +
                   absl::ToDoubleSeconds(now - bucket.refilled) * limit_.per_second);
    bucket.refilled = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::ZeroDuration();
  }
  return absl::Seconds((1 - bucket.tokens) / limit_.per_second);
}

}  // namespace plaudit
