// TenantService: the calling key's tenant's settings (thin adapter).
#ifndef PLAUDIT_SERVICES_TENANTS_TENANT_SERVICE_H_
#define PLAUDIT_SERVICES_TENANTS_TENANT_SERVICE_H_

#include "plaudit/v1/tenant_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/rpc/rpc_service.h"
#include "services/tenants/config_cache.h"
#include "services/tenants/settings_store.h"

namespace plaudit {

class TenantService final : public RpcService {
 public:
  TenantService(ForTenant<SettingsStore> stores, ForTenant<ConfigCache> caches,
                CallGate gate, AuditLog* audit);

  absl::Status GetTenantSettings(const Caller& caller,
                                 const v1::GetTenantSettingsRequest& request,
                                 v1::GetTenantSettingsResponse* response);
  absl::Status UpdateTenantSettings(
      const Caller& caller, const v1::UpdateTenantSettingsRequest& request,
      v1::UpdateTenantSettingsResponse* response);

 private:
  ForTenant<SettingsStore> stores_;
  ForTenant<ConfigCache> caches_;
  AuditLog* audit_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_TENANTS_TENANT_SERVICE_H_
