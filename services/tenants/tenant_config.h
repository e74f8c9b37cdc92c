// A tenant's settings (TenantSettings), checked, and what they make: the
// calendar its boards and counters count by. Pure: no Redis, no gRPC.
#ifndef PLAUDIT_SERVICES_TENANTS_TENANT_CONFIG_H_
#define PLAUDIT_SERVICES_TENANTS_TENANT_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plaudit/v1/tenant_service.pb.h"
#include "services/calendar/board_calendar.h"
#include "services/common/period.h"

namespace plaudit {

// What a tenant that never set anything gets: plauditd's flags.
struct TenantDefaults {
  std::string time_zone = "UTC";
  Retention retention;
  int privacy_min_active_users = 5;
};

v1::TenantSettings DefaultSettings(const std::string& tenant,
                                   const TenantDefaults& defaults);

// INVALID_ARGUMENT naming the field under `field` ("settings.time_zone").
absl::Status ValidateSettings(const v1::TenantSettings& settings,
                              const std::string& field);

struct TenantConfig {
  v1::TenantSettings settings;
  std::shared_ptr<const BoardCalendar> calendar;
};

// Checks `settings` and builds the calendar they describe.
absl::StatusOr<std::shared_ptr<const TenantConfig>> MakeConfig(
    v1::TenantSettings settings);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_TENANTS_TENANT_CONFIG_H_
