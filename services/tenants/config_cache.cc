#include "services/tenants/config_cache.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "glog/logging.h"

namespace plaudit {
namespace {

constexpr absl::Duration kRecheckEvery = absl::Seconds(1);

}  // namespace

struct ConfigCache::State {
  State(std::string tenant, const TenantDefaults* defaults)
      : tenant(std::move(tenant)), defaults(defaults) {}

  // Uses `stored` (nullopt: never written, the defaults) from now on.
  void Keep(const SettingsStore::Stored& stored)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    v1::TenantSettings settings =
        stored.has_value() ? *stored : DefaultSettings(tenant, *defaults);
    settings.set_tenant_id(tenant);
    absl::StatusOr<std::shared_ptr<const TenantConfig>> made =
        MakeConfig(std::move(settings));
    if (!made.ok()) {
      // Written settings were checked: a bug or a hand-edited key.
      LOG(ERROR) << "tenant " << tenant << ": stored settings unusable, "
                 << "keeping the previous ones: " << made.status();
      return;
    }
    config = *std::move(made);
  }

  const std::string tenant;
  const TenantDefaults* const defaults;
  absl::Mutex mu;
  std::shared_ptr<const TenantConfig> config ABSL_GUARDED_BY(mu);
  bool loaded ABSL_GUARDED_BY(mu) = false;
  bool refreshing ABSL_GUARDED_BY(mu) = false;
  absl::Time checked ABSL_GUARDED_BY(mu) = absl::InfinitePast();
};

ConfigCache::ConfigCache(SettingsStore* store, std::string tenant,
                         const TenantDefaults* defaults, Clock clock)
    : store_(store),
      clock_(std::move(clock)),
      state_(std::make_shared<State>(std::move(tenant), defaults)) {
  absl::MutexLock lock(&state_->mu);
  state_->Keep(std::nullopt);
}

std::shared_ptr<const TenantConfig> ConfigCache::Config() const {
  const absl::Time now = clock_();
  State& state = *state_;
  {
    absl::MutexLock lock(&state.mu);
    if (state.loaded) {
      if (!state.refreshing && now - state.checked >= kRecheckEvery) {
        state.refreshing = true;
        state.checked = now;
        std::weak_ptr<State> weak = state_;
        store_->LoadAsync([weak](absl::StatusOr<SettingsStore::Stored> read) {
          const std::shared_ptr<State> alive = weak.lock();
          if (alive == nullptr) return;
          absl::MutexLock lock(&alive->mu);
          alive->refreshing = false;
          const int64_t version =
              read.ok() && read->has_value() ? (*read)->version() : 0;
          if (read.ok() && version != alive->config->settings.version()) {
            alive->Keep(*read);
          }
        });
      }
      return state.config;  // the caller goes on with what is kept
    }
  }
  // The first use waits for the stored settings. (On a Redis lane a blocking
  // read is refused: the defaults serve until a caller elsewhere reads.)
  absl::StatusOr<SettingsStore::Stored> read = store_->Load();
  absl::MutexLock lock(&state.mu);
  if (read.ok() && !state.loaded) {
    state.Keep(*read);
    state.loaded = true;
    state.checked = now;
  }
  return state.config;
}

void ConfigCache::Written(const v1::TenantSettings& settings) {
  absl::MutexLock lock(&state_->mu);
  state_->Keep(settings);
  state_->loaded = true;
  state_->checked = clock_();
}

}  // namespace plaudit
