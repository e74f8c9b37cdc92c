// A tenant's settings in Redis, in the tenant's slot: one hash with the
// serialized TenantSettings and a version every change bumps.
#ifndef PLAUDIT_SERVICES_TENANTS_SETTINGS_STORE_H_
#define PLAUDIT_SERVICES_TENANTS_SETTINGS_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plaudit/v1/tenant_service.pb.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

class SettingsStore {
 public:
  SettingsStore(RedisClient* redis, KeySchema keys, Clock clock)
      : redis_(redis), keys_(std::move(keys)), clock_(std::move(clock)) {}

  // The stored settings with their version; nullopt when never written.
  using Stored = std::optional<v1::TenantSettings>;
  absl::StatusOr<Stored> Load();
  // Load without waiting: `done` runs on a Redis lane (see RedisDone).
  void LoadAsync(std::function<void(absl::StatusOr<Stored>)> done);
  // Writes `settings` if the stored version is still `expected` (0: never
  // written); ABORTED when someone changed them meanwhile.
  absl::StatusOr<v1::TenantSettings> Save(v1::TenantSettings settings,
                                          int64_t expected);
  // Every tenant in the registry (KeySchema::TenantRegistry), sorted.
  static absl::StatusOr<std::vector<std::string>> Registered(
      RedisClient& redis);

 private:
  RedisClient* redis_;
  KeySchema keys_;
  Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_TENANTS_SETTINGS_STORE_H_
