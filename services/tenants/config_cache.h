// A tenant's settings as this replica uses them. Loaded on first use; then
// re-read in the background at most once a second (a change made through
// another replica applies here within about a second), and at once after a
// change made through this one.
#ifndef PLAUDIT_SERVICES_TENANTS_CONFIG_CACHE_H_
#define PLAUDIT_SERVICES_TENANTS_CONFIG_CACHE_H_

#include <memory>
#include <string>

#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/tenants/settings_store.h"
#include "services/tenants/tenant_config.h"

namespace plaudit {

class ConfigCache final : public CalendarSource {
 public:
  ConfigCache(SettingsStore* store, std::string tenant,
              const TenantDefaults* defaults, Clock clock);

  // Never null. Until the settings could be read once, the defaults.
  std::shared_ptr<const TenantConfig> Config() const;
  std::shared_ptr<const BoardCalendar> Calendar() const override {
    return Config()->calendar;
  }
  // What a change through this replica wrote: used from now on.
  void Written(const v1::TenantSettings& settings);

 private:
  struct State;  // shared with background reads, which may end after us

  SettingsStore* store_;
  const Clock clock_;
  std::shared_ptr<State> state_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_TENANTS_CONFIG_CACHE_H_
