// Keeps the outboxes of the tenants this replica serves within their
// retention (outbox_trim.lua): age-bounded, never a sweep over keys, and
// never below what a webhook endpoint still needs (up to twice the
// retention, when no replica delivers at all). Every replica trims the
// tenants it has served; trimming twice is harmless.
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_OUTBOX_TRIMMER_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_OUTBOX_TRIMMER_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/store/redis_client.h"

namespace plaudit {

struct OutboxTrimmerOptions {
  absl::Duration retention = absl::Hours(24 * 7);
  absl::Duration every = absl::Minutes(1);  // real time between passes
  // Told each tenant's outbox length after its trim (metrics); may be empty.
  std::function<void(const std::string& tenant, int64_t entries)> length;
};

class OutboxTrimmer {
 public:
  // `tenants` lists the tenants to trim (those served here).
  OutboxTrimmer(RedisClient* redis, Clock clock,
                std::function<std::vector<std::string>()> tenants,
                OutboxTrimmerOptions options);
  ~OutboxTrimmer();

  // One pass over every tenant now.
  void Trim();

 private:
  void Loop();

  RedisClient* const redis_;
  const Clock clock_;
  const std::function<std::vector<std::string>()> tenants_;
  const OutboxTrimmerOptions options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_OUTBOX_TRIMMER_H_
