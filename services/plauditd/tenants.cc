#include "services/plauditd/tenants.h"

namespace plaudit {

Tenant::Tenant(RedisClient* redis, const std::string& id,
               const BoardCalendar* calendar, const Clock& clock,
               absl::Duration leaderboard_cache)
    : rules(redis, KeySchema(id), clock),
      rule_cache(&rules),
      recorder(redis, &rule_cache, KeySchema(id), calendar, clock),
      accounts(redis, KeySchema(id), calendar, clock),
      users(redis, KeySchema(id)),
      boards(redis, KeySchema(id), clock, leaderboard_cache),
      catalog(redis, KeySchema(id), clock),
      redemptions(redis, KeySchema(id), calendar, clock),
      engagement(redis, KeySchema(id)) {}

Tenant& Tenants::Get(const std::string& tenant) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Tenant>& slot = tenants_[tenant];
  if (slot == nullptr) {
    slot = std::make_unique<Tenant>(redis_, tenant, calendar_, clock_,
                                    leaderboard_cache_);
  }
  return *slot;
}

}  // namespace plaudit
