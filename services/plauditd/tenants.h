// Everything plauditd keeps per tenant (stores, the rules cache, the event
// recorder), built on a tenant's first call and kept for the process's life.
// One Redis connection pool serves every tenant; keys keep them apart.
#ifndef PLAUDIT_SERVICES_PLAUDITD_TENANTS_H_
#define PLAUDIT_SERVICES_PLAUDITD_TENANTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/accounts/account_store.h"
#include "services/analytics/engagement_store.h"
#include "services/calendar/board_calendar.h"
#include "services/common/call_guard.h"
#include "services/common/clock.h"
#include "services/events/event_recorder.h"
#include "services/leaderboards/leaderboard_store.h"
#include "services/notifications/inbox_store.h"
#include "services/notifications/webhook_store.h"
#include "services/rewards/catalog_store.h"
#include "services/rewards/redemption_store.h"
#include "services/rules/rule_cache.h"
#include "services/rules/rule_store.h"
#include "services/tenants/config_cache.h"
#include "services/tenants/settings_store.h"
#include "services/tenants/tenant_config.h"
#include "services/users/user_store.h"

namespace plaudit {

struct Tenant {
  Tenant(RedisClient* redis, const std::string& id,
         const TenantDefaults* defaults, const Clock& clock,
         absl::Duration leaderboard_cache);

  SettingsStore settings;
  ConfigCache config;  // before everything that counts by its calendar
  RuleStore rules;
  RuleCache rule_cache;
  EventRecorder recorder;
  AccountStore accounts;
  UserStore users;
  LeaderboardStore boards;
  CatalogStore catalog;
  RedemptionStore redemptions;
  EngagementStore engagement;
  InboxStore inbox;
  WebhookStore webhooks;
};

class Tenants {
 public:
  Tenants(RedisClient* redis, TenantDefaults defaults, Clock clock,
          absl::Duration leaderboard_cache)
      : redis_(redis),
        defaults_(std::move(defaults)),
        clock_(std::move(clock)),
        leaderboard_cache_(leaderboard_cache) {}

  // The tenant's objects; references stay valid while Tenants lives.
  Tenant& Get(const std::string& tenant);
  // Every tenant served here so far.
  std::vector<std::string> Ids();

  // An accessor for one member, for the services: Of(&Tenant::accounts).
  template <typename T>
  ForTenant<T> Of(T Tenant::*member) {
    return
        [this, member](const std::string& id) -> T& { return Get(id).*member; };
  }

 private:
  RedisClient* redis_;
  const TenantDefaults defaults_;
  const Clock clock_;
  const absl::Duration leaderboard_cache_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Tenant>> tenants_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_PLAUDITD_TENANTS_H_
