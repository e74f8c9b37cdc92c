#include "services/plauditd/tenants.h"

namespace plaudit {

Tenant::Tenant(RedisClient* redis, const std::string& id,
               const TenantDefaults* defaults, const Clock& clock,
               absl::Duration leaderboard_cache)
    : settings(redis, KeySchema(id), clock),
      config(&settings, id, defaults, clock),
      rules(redis, KeySchema(id), clock),
      rule_cache(&rules),
      recorder(redis, &rule_cache, KeySchema(id), &config, clock),
      accounts(redis, KeySchema(id), &config, clock),
      users(redis, KeySchema(id), &config, clock),
      boards(redis, KeySchema(id), clock, leaderboard_cache),
      catalog(redis, KeySchema(id), clock),
      redemptions(redis, KeySchema(id), &config, clock),
      engagement(redis, KeySchema(id)),
      inbox(redis, KeySchema(id), id),
      webhooks(redis, KeySchema(id), id, clock) {}

Tenant& Tenants::Get(const std::string& tenant) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Tenant>& slot = tenants_[tenant];
  if (slot == nullptr) {
    slot = std::make_unique<Tenant>(redis_, tenant, &defaults_, clock_,
                                    leaderboard_cache_);
  }
  return *slot;
}

std::vector<std::string> Tenants::Ids() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, tenant] : tenants_) ids.push_back(id);
  return ids;
}

}  // namespace plaudit
