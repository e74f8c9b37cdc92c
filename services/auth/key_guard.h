// The CallGuard of keyed mode: the caller's API key (bearer metadata) names
// the tenant and the role; one table says which role each method needs.
#ifndef PLAUDIT_SERVICES_AUTH_KEY_GUARD_H_
#define PLAUDIT_SERVICES_AUTH_KEY_GUARD_H_

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/auth/key_store.h"
#include "services/auth/rate_limiter.h"
#include "services/common/call_guard.h"
#include "services/common/clock.h"

namespace plaudit {

// The least role `method` ("Service/Method") needs; NOT_FOUND for a method
// the table does not name (refused: fail closed).
absl::StatusOr<Role> RequiredRole(absl::string_view method);

class KeyGuard final : public CallGuard {
 public:
  // Verified keys are remembered for `cache_for`, by a hash of the bearer
  // (a call saves a Redis round trip). A revocation bites at once on the
  // replica that made it, within `cache_for` on the others.
  KeyGuard(KeyStore* keys, Clock clock,
           absl::Duration cache_for = absl::Seconds(2),
           RateLimit rate_limit = {});

  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                               absl::string_view method) const override;

 private:
  absl::StatusOr<Caller> Verify(const std::string& bearer) const;
  // The key's record checked against the bearer, without caches.
  absl::StatusOr<Caller> Lookup(const std::string& bearer) const;

  KeyStore* keys_;
  const Clock clock_;
  const absl::Duration cache_for_;
  mutable RateLimiter limiter_;
  struct Verified {
    Caller caller;
    absl::Time until;
    uint64_t revocations;  // KeyStore::revocations() when verified
  };
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, Verified> verified_ ABSL_GUARDED_BY(mu_);
  // Keys just refused, for a second: made-up keys cost no Redis lookup each.
  mutable absl::flat_hash_map<std::string, absl::Time> refused_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_KEY_GUARD_H_
