#include "services/auth/rate_limiter.h"

#include <algorithm>
#include <vector>

namespace plaudit {
namespace {

double BurstOf(const RateLimit& limit) { return std::max(1.0, limit.burst); }

}  // namespace

RateLimiter::Bucket& RateLimiter::Refilled(const std::string& key,
                                           absl::Time now,
                                           const RateLimit& limit) {
  if (buckets_.size() >= max_keys_ && !buckets_.contains(key)) Evict(now);
  auto [it, fresh] =
      buckets_.try_emplace(key, Bucket{BurstOf(limit), now, limit});
  Bucket& bucket = it->second;
  if (!fresh && now > bucket.refilled) {  // at the limit of that time
    bucket.tokens =
        std::min(BurstOf(bucket.limit),
                 bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) *
                                     bucket.limit.per_second);
    bucket.refilled = now;
  }
  bucket.limit = limit;  // a changed limit applies from now on
  bucket.tokens = std::min(bucket.tokens, BurstOf(limit));
  return bucket;
}

void RateLimiter::Evict(absl::Time now) {
  absl::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return b.tokens +
               absl::ToDoubleSeconds(now - b.refilled) * b.limit.per_second >=
           BurstOf(b.limit);
  });
  if (buckets_.size() < max_keys_) return;
  // Every bucket is in use: keep the more recently used half.
  std::vector<absl::Time> times;
  times.reserve(buckets_.size());
  for (const auto& entry : buckets_) times.push_back(entry.second.refilled);
  auto middle = times.begin() + times.size() / 2;
  std::nth_element(times.begin(), middle, times.end());
  const absl::Time cutoff = *middle;
  absl::erase_if(buckets_, [&](const auto& entry) {
    return entry.second.refilled < cutoff;
  });
  if (buckets_.size() >= max_keys_) buckets_.clear();  // all used at once
}

absl::Duration RateLimiter::Until(const Bucket& bucket) const {
  if (bucket.tokens >= 1) return absl::ZeroDuration();
  return absl::Seconds((1 - bucket.tokens) / bucket.limit.per_second);
}

absl::Duration RateLimiter::Acquire(const std::string& key, absl::Time now) {
  return Acquire(key, now, limit_);
}

absl::Duration RateLimiter::Acquire(const std::string& key, absl::Time now,
                                    const RateLimit& limit) {
  if (limit.per_second <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  Bucket& bucket = Refilled(key, now, limit);
  const absl::Duration wait = Until(bucket);
  if (wait == absl::ZeroDuration()) bucket.tokens -= 1;
  return wait;
}

size_t RateLimiter::size() {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

absl::Duration RateLimiter::Wait(const std::string& key, absl::Time now) {
  if (limit_.per_second <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  return Until(Refilled(key, now, limit_));
}

}  // namespace plaudit
