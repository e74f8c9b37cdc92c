#include "services/tenants/tenant_config.h"

#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

absl::Status CheckRetention(const std::string& field, const char* name,
                            int value, int max) {
  if (value < 1 || value > max) {
    return InvalidField(
        absl::StrCat(field, ".", name),
        absl::StrCat("must be between 1 and ", max, ", got ", value));
  }
  return absl::OkStatus();
}

}  // namespace

v1::TenantSettings DefaultSettings(const std::string& tenant,
                                   const TenantDefaults& defaults) {
  v1::TenantSettings settings;
  settings.set_tenant_id(tenant);
  settings.set_display_name(tenant);
  settings.set_time_zone(defaults.time_zone);
  settings.mutable_retention()->set_days(defaults.retention.days);
  settings.mutable_retention()->set_weeks(defaults.retention.weeks);
  settings.mutable_retention()->set_months(defaults.retention.months);
  settings.mutable_retention()->set_years(defaults.retention.years);
  settings.set_privacy_min_active_users(defaults.privacy_min_active_users);
  return settings;
}

absl::Status ValidateSettings(const v1::TenantSettings& settings,
                              const std::string& field) {
  if (auto s = ValidateText(absl::StrCat(field, ".display_name"),
                            settings.display_name(), 128);
      !s.ok()) {
    return s;
  }
  if (absl::StatusOr<absl::TimeZone> zone = LoadTenantTimeZone(
          absl::StrCat(field, ".time_zone"), settings.time_zone());
      !zone.ok()) {
    return zone.status();
  }
  const std::string retention = absl::StrCat(field, ".retention");
  // At least the bucket before the current one (for growth); at most what
  // several year-over-year comparisons need.
  const v1::Retention& r = settings.retention();
  for (const auto& [name, value, max] :
       {std::tuple<const char*, int, int>{"days", r.days(), 400},
        {"weeks", r.weeks(), 104},
        {"months", r.months(), 60},
        {"years", r.years(), 20}}) {
    if (auto s = CheckRetention(retention, name, value, max); !s.ok()) return s;
  }
  bool seen[6] = {};
  for (int i = 0; i < settings.periods_size(); ++i) {
    const int period = settings.periods(i);
    const std::string name = absl::StrCat(field, ".periods[", i, "]");
    if (period < v1::ALL_TIME || period > v1::DAY) {
      return InvalidField(name, "must be ALL_TIME, YEAR, MONTH, WEEK or DAY");
    }
    if (seen[period]) return InvalidField(name, "is named twice");
    seen[period] = true;
  }
  if (settings.scopes_size() > 50) {
    return InvalidField(absl::StrCat(field, ".scopes"), "at most 50");
  }
  for (int i = 0; i < settings.scopes_size(); ++i) {
    const std::string& scope = settings.scopes(i);
    if (scope == "global") continue;
    // A prefix "dept:" is a group of an empty name: check it as "dept:x".
    const std::string as_group =
        absl::EndsWith(scope, ":") ? absl::StrCat(scope, "x") : scope;
    if (!ValidateGroup("scope", as_group).ok()) {
      return InvalidField(absl::StrCat(field, ".scopes[", i, "]"),
                          "must be global, a group such as dept:sales or a "
                          "group prefix such as dept:");
    }
  }
  if (!v1::BalancePolicy_IsValid(settings.leaver_balance())) {
    return InvalidField(absl::StrCat(field, ".leaver_balance"),
                        "must be KEEP_BALANCE, PAY_OUT_BALANCE or "
                        "FORFEIT_BALANCE");
  }
  const v1::KeyRateLimit& rate = settings.rate_limit();
  if (!(rate.per_second() >= 0 && rate.per_second() <= 100'000)) {
    return InvalidField(absl::StrCat(field, ".rate_limit.per_second"),
                        "must be between 0 (the server's) and 100000");
  }
  if (rate.per_second() > 0 &&
      !(rate.burst() >= 1 && rate.burst() <= 100'000)) {
    return InvalidField(absl::StrCat(field, ".rate_limit.burst"),
                        "must be between 1 and 100000");
  }
  const int privacy = settings.privacy_min_active_users();
  if (privacy < 1 || privacy > 1000) {
    return InvalidField(
        absl::StrCat(field, ".privacy_min_active_users"),
        absl::StrCat("must be between 1 and 1000, got ", privacy));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const TenantConfig>> MakeConfig(
    v1::TenantSettings settings) {
  if (auto s = ValidateSettings(settings, "settings"); !s.ok()) return s;
  absl::StatusOr<absl::TimeZone> zone =
      LoadTenantTimeZone("settings.time_zone", settings.time_zone());
  if (!zone.ok()) return zone.status();
  const v1::Retention& r = settings.retention();
  Retention retention;
  retention.days = r.days();
  retention.weeks = r.weeks();
  retention.months = r.months();
  retention.years = r.years();
  std::vector<Period> kept;
  for (int period : settings.periods()) {
    kept.push_back(static_cast<Period>(period - v1::ALL_TIME));  // ALL_TIME=1
  }
  auto config = std::make_shared<TenantConfig>();
  config->calendar = std::make_shared<const BoardCalendar>(
      *zone, retention, std::move(kept),
      std::vector<std::string>(settings.scopes().begin(),
                               settings.scopes().end()));
  config->settings = std::move(settings);
  return std::shared_ptr<const TenantConfig>(std::move(config));
}

}  // namespace plaudit
