// Tells each manager, once a day in their tenant's time zone, what their
// team did the day before (digest.daily, digest.lua). Every replica looks
// now and then for the tenants it serves; each manager's digest of a day is
// made once (the day's mark), so replicas and restarts never tell it twice,
// and a replica that was down at midnight makes it when it is back.
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_DIGEST_SCHEDULER_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_DIGEST_SCHEDULER_H_

#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/store/redis_client.h"

namespace plaudit {

// What a digest needs of its tenant now.
struct DigestTenant {
  absl::TimeZone zone;
  std::vector<std::pair<std::string, std::string>> rule_actions;  // id, action
};

struct DigestOptions {
  absl::Duration every = absl::Minutes(1);  // real time between passes
  int per_pass = 500;                       // digests per tenant per pass
};

class DigestScheduler {
 public:
  DigestScheduler(
      RedisClient* redis, Clock clock,
      std::function<std::vector<std::string>()> tenants,
      std::function<absl::StatusOr<DigestTenant>(const std::string&)> tenant,
      DigestOptions options);
  ~DigestScheduler();

  // One pass now: yesterday's digests not yet made, per tenant. Returns how
  // many were made.
  int Run();

 private:
  int RunTenant(const std::string& tenant, absl::Time now);
  void Loop();

  RedisClient* const redis_;
  const Clock clock_;
  const std::function<std::vector<std::string>()> tenants_;
  const std::function<absl::StatusOr<DigestTenant>(const std::string&)>
      tenant_;
  const DigestOptions options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_DIGEST_SCHEDULER_H_
