// KeyService: HR creates, lists and revokes their tenant's API keys.
#ifndef PLAUDIT_SERVICES_AUTH_KEY_SERVICE_H_
#define PLAUDIT_SERVICES_AUTH_KEY_SERVICE_H_

#include "plaudit/v1/key_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/auth/key_store.h"
#include "services/common/clock.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

class KeyService final : public RpcService {
 public:
  KeyService(KeyStore* keys, CallGate gate, AuditLog* audit, Clock clock);

  absl::Status CreateKey(const Caller& caller,
                         const v1::CreateKeyRequest& request,
                         v1::CreateKeyResponse* response);
  absl::Status RevokeKey(const Caller& caller,
                         const v1::RevokeKeyRequest& request,
                         v1::RevokeKeyResponse* response);
  absl::Status ListKeys(const Caller& caller,
                        const v1::ListKeysRequest& request,
                        v1::ListKeysResponse* response);

 private:
  KeyStore* keys_;
  AuditLog* audit_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_KEY_SERVICE_H_
