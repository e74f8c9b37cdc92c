#include "services/tenants/tenant_config.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

v1::TenantSettings Valid() { return DefaultSettings("acme", TenantDefaults()); }

TEST(TenantConfigTest, DefaultsAreValidAndMakeTheirCalendar) {
  TenantDefaults defaults;
  defaults.time_zone = "Asia/Yekaterinburg";
  defaults.retention.days = 30;
  absl::StatusOr<std::shared_ptr<const TenantConfig>> config =
      MakeConfig(DefaultSettings("acme", defaults));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ((*config)->calendar->zone().name(), "Asia/Yekaterinburg");
  EXPECT_EQ((*config)->calendar->retention().days, 30);
  EXPECT_EQ((*config)->settings.display_name(), "acme");
}

TEST(TenantConfigTest, BadSettingsNameTheFieldAndTheReason) {
  v1::TenantSettings zone = Valid();
  zone.set_time_zone("Mars/Olympus");
  EXPECT_NE(
      ValidateSettings(zone, "settings").message().find("settings.time_zone"),
      absl::string_view::npos);

  v1::TenantSettings none = Valid();
  none.mutable_retention()->set_days(0);
  EXPECT_NE(
      ValidateSettings(none, "settings")
          .message()
          .find("settings.retention.days: must be between 1 and 400, got 0"),
      absl::string_view::npos);

  v1::TenantSettings century = Valid();
  century.mutable_retention()->set_years(100);
  EXPECT_NE(ValidateSettings(century, "settings")
                .message()
                .find("settings.retention.years"),
            absl::string_view::npos);

  v1::TenantSettings privacy = Valid();
  privacy.set_privacy_min_active_users(0);
  EXPECT_FALSE(ValidateSettings(privacy, "settings").ok());
  EXPECT_FALSE(MakeConfig(privacy).ok());
}

TEST(TenantConfigTest, KeptPeriodsAreEachNamedOnce) {
  v1::TenantSettings settings = Valid();
  settings.add_periods(v1::WEEK);
  settings.add_periods(v1::ALL_TIME);
  absl::StatusOr<std::shared_ptr<const TenantConfig>> config =
      MakeConfig(settings);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE((*config)->calendar->Keeps(Period::kWeek));
  EXPECT_TRUE((*config)->calendar->Keeps(Period::kAllTime));
  EXPECT_FALSE((*config)->calendar->Keeps(Period::kDay));

  settings.add_periods(v1::WEEK);
  EXPECT_NE(ValidateSettings(settings, "settings")
                .message()
                .find("settings.periods[2]: is named twice"),
            absl::string_view::npos);
  v1::TenantSettings unspecified = Valid();
  unspecified.add_periods(v1::PERIOD_UNSPECIFIED);
  EXPECT_FALSE(ValidateSettings(unspecified, "settings").ok());
  // None named: all kept.
  EXPECT_TRUE((*MakeConfig(Valid()))->calendar->Keeps(Period::kDay));
}

}  // namespace
}  // namespace plaudit
