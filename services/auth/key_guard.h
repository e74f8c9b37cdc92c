// The CallGuard of keyed mode: the caller's API key (bearer metadata) names
// the tenant and the role; one table says which role each method needs.
#ifndef PLAUDIT_SERVICES_AUTH_KEY_GUARD_H_
#define PLAUDIT_SERVICES_AUTH_KEY_GUARD_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/auth/key_store.h"
#include "services/auth/rate_limiter.h"
#include "services/common/burst_log.h"
#include "services/common/call_guard.h"
#include "services/common/clock.h"
#include "services/metrics/metrics.h"

namespace plaudit {

// The least role `method` ("Service/Method") needs; NOT_FOUND for a method
// the table does not name (refused: fail closed).
absl::StatusOr<Role> RequiredRole(absl::string_view method);
// Whether an integration key may call `method` for a manager: with the
// manager's user id as plaudit-actor, checked against the affected users
// by the script that acts (see Caller::as_manager).
bool ManagerMayCall(absl::string_view method);

struct KeyGuardOptions {
  // How long a verified key is trusted before it is checked again (a
  // revocation bites at once on the replica that made it, within this on
  // the others).
  absl::Duration cache_for = absl::Seconds(2);
  // Calls per second per API key (0: unlimited).
  RateLimit rate_limit;
  // A tenant's own limit for its keys, if it set one (may be empty).
  std::function<std::optional<RateLimit>(const std::string& tenant)>
      tenant_rate_limit;
  // Failed authentications allowed per peer address and per key id before
  // the next attempts are refused without a lookup (RESOURCE_EXHAUSTED).
  RateLimit failure_limit{5, 20};
  // The HTTP gateway's per-process secret (see CallerAddress); "" = none.
  std::string gateway_token;
};

class KeyGuard final : public CallGuard {
 public:
  // `metrics` may be null.
  KeyGuard(KeyStore* keys, Clock clock, KeyGuardOptions options,
           Metrics* metrics = nullptr);

  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                               absl::string_view method) const override;

 private:
  absl::StatusOr<Caller> Verify(const std::string& bearer,
                                const std::string& peer) const;
  // The key's record checked against the bearer, without caches.
  struct Looked {
    absl::StatusOr<Caller> caller;
    bool known_key_id = false;  // the key id exists (the secret may not match)
  };
  Looked Lookup(const std::string& bearer) const;
  // Counts, throttles and logs (once per burst) a refused authentication;
  // `key_id` ("" for none) is charged too.
  absl::Status Refused(absl::Status status, const std::string& peer,
                       const std::string& key_id) const;
  // How long `peer` (or `key_id`) must wait before its next attempt.
  absl::Duration Throttled(const std::string& peer, const std::string& key_id,
                           absl::Time now) const;
  absl::Status ThrottledError(const std::string& peer,
                              absl::Duration wait) const;

  KeyStore* keys_;
  const Clock clock_;
  const KeyGuardOptions options_;
  Metrics* metrics_;
  mutable RateLimiter limiter_;
  mutable RateLimiter peer_failures_;
  mutable RateLimiter key_failures_;
  mutable BurstLog failure_log_{absl::Seconds(10)};
  struct Verified {
    Caller caller;
    absl::Time until;
    uint64_t revocations;  // KeyStore::revocations() when verified
  };
  mutable absl::Mutex mu_;
  // By a hash of the bearer. Expired entries stay (until the map is full):
  // checking a key that was good again is never throttled.
  mutable absl::flat_hash_map<std::string, Verified> verified_
      ABSL_GUARDED_BY(mu_);
  // Keys just refused, for a second: made-up keys cost no Redis lookup each.
  mutable absl::flat_hash_map<std::string, absl::Time> refused_
      ABSL_GUARDED_BY(mu_);
};

// "ipv4:10.1.2.3" of "ipv4:10.1.2.3:51234" (the port changes per
// connection; the address is who calls).
std::string PeerAddress(absl::string_view peer);
// Who is calling, for throttling: PeerAddress of the connection, or for the
// HTTP gateway's in-process calls the HTTP client's address it forwards
// (metadata "plaudit-peer", believed only beside the gateway's secret
// "plaudit-gateway" token, which no outside caller knows).
std::string CallerAddress(const grpc::ServerContextBase& context,
                          const std::string& gateway_token);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_KEY_GUARD_H_
