#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "plaudit/v1/tenant_service.grpc.pb.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {
namespace {

// "days,weeks,months,years", e.g. "30,12,13,5".
absl::Status ParseRetention(const std::string& text, v1::Retention* out) {
  const std::vector<std::string> parts = absl::StrSplit(text, ',');
  int values[4];
  if (parts.size() != 4) {
    return absl::InvalidArgumentError(
        "retain: expected days,weeks,months,years, e.g. 30,12,13,5");
  }
  for (int i = 0; i < 4; ++i) {
    if (!absl::SimpleAtoi(parts[i], &values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("retain: \"", parts[i], "\" is not a number"));
    }
  }
  out->set_days(values[0]);
  out->set_weeks(values[1]);
  out->set_months(values[2]);
  out->set_years(values[3]);
  return absl::OkStatus();
}

}  // namespace

absl::Status TenantShow(const Connection& c) {
  absl::StatusOr<v1::GetTenantSettingsResponse> response =
      Call(c, &v1::TenantService::Stub::GetTenantSettings,
           v1::GetTenantSettingsRequest());
  if (!response.ok()) return response.status();
  return PrintJson(c, response->settings());
}

namespace {

// Sets in `settings` what `change` gives, naming each field in `mask`.
absl::Status Fill(const TenantChange& change, v1::TenantSettings* settings,
                  google::protobuf::FieldMask* mask) {
  if (!change.display_name.empty()) {
    settings->set_display_name(change.display_name);
    mask->add_paths("display_name");
  }
  if (!change.time_zone.empty()) {
    settings->set_time_zone(change.time_zone);
    mask->add_paths("time_zone");
  }
  if (!change.retention.empty()) {
    if (auto s =
            ParseRetention(change.retention, settings->mutable_retention());
        !s.ok()) {
      return s;
    }
    mask->add_paths("retention");
  }
  if (change.privacy_min_active_users != 0) {
    settings->set_privacy_min_active_users(change.privacy_min_active_users);
    mask->add_paths("privacy_min_active_users");
  }
  if (!change.periods.empty()) {
    for (absl::string_view name : absl::StrSplit(change.periods, ',')) {
      absl::StatusOr<v1::Period> period = ParsePeriod(std::string(name));
      if (!period.ok()) return period.status();
      settings->add_periods(*period);
    }
    mask->add_paths("periods");
  }
  if (!change.scopes.empty()) {
    for (absl::string_view scope : absl::StrSplit(change.scopes, ',')) {
      settings->add_scopes(std::string(scope));
    }
    mask->add_paths("scopes");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TenantSet(const Connection& c, const TenantChange& change) {
  v1::UpdateTenantSettingsRequest request;
  if (auto s = Fill(change, request.mutable_settings(),
                    request.mutable_update_mask());
      !s.ok()) {
    return s;
  }
  if (request.update_mask().paths_size() == 0) {
    return absl::InvalidArgumentError(
        "tenant set: nothing to change (--display_name, --time_zone, "
        "--retain, --privacy_min_active_users, --periods, --scopes)");
  }
  absl::StatusOr<v1::UpdateTenantSettingsResponse> response =
      Call(c, &v1::TenantService::Stub::UpdateTenantSettings, request);
  if (!response.ok()) return response.status();
  return PrintJson(c, response->settings());
}

absl::Status TenantCreate(const Connection& c, const std::string& tenant,
                          const TenantChange& settings,
                          const std::string& admin_key_name) {
  v1::CreateTenantRequest request;
  google::protobuf::FieldMask given;  // what is not given: the defaults
  if (auto s = Fill(settings, request.mutable_settings(), &given); !s.ok()) {
    return s;
  }
  request.mutable_settings()->set_tenant_id(tenant);
  request.set_admin_key_name(admin_key_name);
  absl::StatusOr<v1::CreateTenantResponse> response =
      Call(c, &v1::TenantService::Stub::CreateTenant, request);
  if (!response.ok()) return response.status();
  if (auto s = PrintJson(c, response->settings()); !s.ok()) return s;
  *c.out << "admin key (shown once): " << response->admin_secret() << "\n";
  return absl::OkStatus();
}

absl::Status TenantList(const Connection& c) {
  v1::ListTenantsRequest request;
  request.set_page_size(1000);
  do {
    absl::StatusOr<v1::ListTenantsResponse> page =
        Call(c, &v1::TenantService::Stub::ListTenants, request);
    if (!page.ok()) return page.status();
    for (const v1::TenantSettings& tenant : page->tenants()) {
      *c.out << tenant.tenant_id() << "\t" << tenant.display_name() << "\t"
             << tenant.time_zone() << "\n";
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
