#include "services/tenants/tenant_service.h"

#include <utility>

#include "google/protobuf/util/field_mask_util.h"
#include "services/common/update_mask.h"
#include "services/tenants/tenant_config.h"

namespace plaudit {

TenantService::TenantService(ForTenant<SettingsStore> stores,
                             ForTenant<ConfigCache> caches, CallGate gate,
                             AuditLog* audit)
    : RpcService(v1::TenantService::service_full_name(), gate),
      stores_(std::move(stores)),
      caches_(std::move(caches)),
      audit_(audit) {
  Handle("GetTenantSettings", &TenantService::GetTenantSettings);
  Handle("UpdateTenantSettings", &TenantService::UpdateTenantSettings);
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
