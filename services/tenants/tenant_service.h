// TenantService: the calling key's tenant's settings (thin adapter).
#ifndef PLAUDIT_SERVICES_TENANTS_TENANT_SERVICE_H_
#define PLAUDIT_SERVICES_TENANTS_TENANT_SERVICE_H_

#include "plaudit/v1/tenant_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/auth/key_store.h"
#include "services/common/clock.h"
#include "services/rpc/rpc_service.h"
#include "services/tenants/config_cache.h"
#include "services/tenants/settings_store.h"

namespace plaudit {

class TenantService final : public RpcService {
 public:
  // `redis` holds the tenant registry; `keys` issues a new tenant's first
  // admin key.
  TenantService(ForTenant<SettingsStore> stores, ForTenant<ConfigCache> caches,
                RedisClient* redis, KeyStore* keys, CallGate gate,
                AuditLog* audit, Clock clock);

  absl::Status GetTenantSettings(const Caller& caller,
                                 const v1::GetTenantSettingsRequest& request,
                                 v1::GetTenantSettingsResponse* response);
  absl::Status UpdateTenantSettings(
      const Caller& caller, const v1::UpdateTenantSettingsRequest& request,
      v1::UpdateTenantSettingsResponse* response);
  absl::Status CreateTenant(const Caller& caller,
                            const v1::CreateTenantRequest& request,
                            v1::CreateTenantResponse* response);
  absl::Status ListTenants(const Caller& caller,
                           const v1::ListTenantsRequest& request,
                           v1::ListTenantsResponse* response);

 private:
  ForTenant<SettingsStore> stores_;
  ForTenant<ConfigCache> caches_;
  RedisClient* redis_;
  KeyStore* keys_;
  AuditLog* audit_;
  Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_TENANTS_TENANT_SERVICE_H_
