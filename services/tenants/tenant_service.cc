#include "services/tenants/tenant_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/error_reason.h"
#include "services/common/paging.h"
#include "services/common/update_mask.h"
#include "services/common/validation.h"
#include "services/tenants/tenant_config.h"

namespace plaudit {

TenantService::TenantService(ForTenant<SettingsStore> stores,
                             ForTenant<ConfigCache> caches, RedisClient* redis,
                             KeyStore* keys, CallGate gate, AuditLog* audit,
                             Clock clock)
    : RpcService(v1::TenantService::service_full_name(), gate),
      stores_(std::move(stores)),
      caches_(std::move(caches)),
      redis_(redis),
      keys_(keys),
      audit_(audit),
      clock_(std::move(clock)) {
  Handle("GetTenantSettings", &TenantService::GetTenantSettings);
  Handle("UpdateTenantSettings", &TenantService::UpdateTenantSettings);
  Handle("CreateTenant", &TenantService::CreateTenant);
  Handle("ListTenants", &TenantService::ListTenants);
}

namespace {

constexpr char kTenantsToken[] = "tenants";

// `base` with every field `given` sets (non-empty, non-zero) taken from it.
v1::TenantSettings Overlay(v1::TenantSettings base,
                           const v1::TenantSettings& given) {
  if (!given.display_name().empty()) {
    base.set_display_name(given.display_name());
  }
  if (!given.time_zone().empty()) base.set_time_zone(given.time_zone());
  if (given.has_retention()) *base.mutable_retention() = given.retention();
  if (given.privacy_min_active_users() != 0) {
    base.set_privacy_min_active_users(given.privacy_min_active_users());
  }
  if (given.periods_size() > 0) *base.mutable_periods() = given.periods();
  if (given.scopes_size() > 0) *base.mutable_scopes() = given.scopes();
  if (given.has_rate_limit()) *base.mutable_rate_limit() = given.rate_limit();
  if (given.leaver_balance() != v1::BALANCE_POLICY_UNSPECIFIED) {
    base.set_leaver_balance(given.leaver_balance());
  }
  return base;
}

}  // namespace

absl::Status TenantService::CreateTenant(const Caller& caller,
                                         const v1::CreateTenantRequest& request,
                                         v1::CreateTenantResponse* response) {
  const std::string& tenant = request.settings().tenant_id();
  if (auto s = ValidateSlug("settings.tenant_id", tenant); !s.ok()) return s;
  const std::string key_name = request.admin_key_name().empty()
                                   ? "first admin"
                                   : request.admin_key_name();
  if (auto s = ValidateText("admin_key_name", key_name, 128); !s.ok()) {
    return s;
  }
  ConfigCache& cache = caches_(tenant);
  // The server's defaults (what the cache holds for a tenant never set),
  // with what the request gives.
  v1::TenantSettings settings =
      Overlay(cache.Config()->settings, request.settings());
  settings.set_tenant_id(tenant);
  settings.clear_version();
  settings.clear_update_time();
  if (auto s = ValidateSettings(settings, "settings"); !s.ok()) return s;
  absl::StatusOr<v1::TenantSettings> saved =
      stores_(tenant).Save(std::move(settings), 0);
  if (absl::IsAborted(saved.status())) {
    return WithReason(absl::AlreadyExistsError(
                          absl::StrCat("tenant ", tenant, " exists already")),
                      "TENANT_EXISTS");
  }
  if (!saved.ok()) return saved.status();
  cache.Written(*saved);
  absl::StatusOr<NewKey> key =
      keys_->Issue(tenant, v1::ADMIN, key_name, clock_());
  if (!key.ok()) return key.status();
  // On the new tenant's own trail: who created it, and its first key.
  Caller in_tenant = caller;
  in_tenant.tenant = tenant;
  audit_->Record(in_tenant, "TENANT_CREATED", tenant, nullptr, &*saved);
  audit_->Record(in_tenant, "KEY_CREATED", key->record.key_id(), nullptr,
                 &key->record);
  *response->mutable_settings() = *std::move(saved);
  *response->mutable_admin_key() = key->record;
  response->set_admin_secret(key->secret);
  return absl::OkStatus();
}

absl::Status TenantService::ListTenants(const Caller&,
                                        const v1::ListTenantsRequest& request,
                                        v1::ListTenantsResponse* response) {
  absl::StatusOr<PageRequest> page = ReadPageRequest(kTenantsToken, request);
  if (!page.ok()) return page.status();
  absl::StatusOr<std::vector<std::string>> tenants =
      SettingsStore::Registered(*redis_);
  if (!tenants.ok()) return tenants.status();
  google::protobuf::RepeatedPtrField<std::string> ids;
  const std::string last = TakePage(
      *std::move(tenants), *page,
      [](const std::string& id) -> const std::string& { return id; },
      [](const std::string&) { return true; }, &ids);
  for (const std::string& id : ids) {
    *response->add_tenants() = caches_(id).Config()->settings;
  }
  response->set_next_page_token(NextPageToken(kTenantsToken, last));
  return absl::OkStatus();
}

absl::Status TenantService::GetTenantSettings(
    const Caller& caller, const v1::GetTenantSettingsRequest&,
    v1::GetTenantSettingsResponse* response) {
  // Read from Redis, not the cache: the answer shows what is stored now.
  absl::StatusOr<SettingsStore::Stored> stored = stores_(caller.tenant).Load();
  if (!stored.ok()) return stored.status();
  *response->mutable_settings() =
      stored->has_value() ? **stored
                          : caches_(caller.tenant).Config()->settings;
  response->mutable_settings()->set_tenant_id(caller.tenant);
  return absl::OkStatus();
}

absl::Status TenantService::UpdateTenantSettings(
    const Caller& caller, const v1::UpdateTenantSettingsRequest& request,
    v1::UpdateTenantSettingsResponse* response) {
  if (auto s = ValidateUpdateMask<v1::TenantSettings>(
          request.update_mask(), {"tenant_id", "version", "update_time"});
      !s.ok()) {
    return s;
  }
  SettingsStore& store = stores_(caller.tenant);
  absl::StatusOr<SettingsStore::Stored> stored = store.Load();
  if (!stored.ok()) return stored.status();
  ConfigCache& cache = caches_(caller.tenant);
  const v1::TenantSettings before =
      stored->has_value() ? **stored : cache.Config()->settings;
  v1::TenantSettings after = before;
  if (request.update_mask().paths_size() > 0) {
    // A named message field is replaced whole: "retention" with days 0 means
    // days 0 (refused), not "days left as they were".
    google::protobuf::util::FieldMaskUtil::MergeOptions replace;
    replace.set_replace_message_fields(true);
    replace.set_replace_repeated_fields(true);
    google::protobuf::util::FieldMaskUtil::MergeMessageTo(
        request.settings(), request.update_mask(), replace, &after);
  } else {  // no mask: every settable field from the request
    after = request.settings();
    after.set_version(before.version());
  }
  after.set_tenant_id(caller.tenant);
  after.clear_update_time();
  if (auto s = ValidateSettings(after, "settings"); !s.ok()) return s;
  absl::StatusOr<v1::TenantSettings> saved =
      store.Save(std::move(after), before.version());
  if (!saved.ok()) return saved.status();
  saved->set_tenant_id(caller.tenant);
  cache.Written(*saved);
  audit_->Record(caller, "TENANT_SETTINGS_UPDATED", caller.tenant, &before,
                 &*saved);
  *response->mutable_settings() = *std::move(saved);
  return absl::OkStatus();
}

}  // namespace plaudit
