// KeyService: HR creates, lists and revokes their tenant's API keys.
#ifndef PLAUDIT_SERVICES_AUTH_KEY_SERVICE_H_
#define PLAUDIT_SERVICES_AUTH_KEY_SERVICE_H_

#include "plaudit/v1/key_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/auth/key_store.h"
#include "services/common/call_guard.h"
#include "services/common/clock.h"

namespace plaudit {

class KeyService final : public v1::KeyService::Service {
 public:
  KeyService(KeyStore* keys, const CallGuard* guard, AuditLog* audit,
             Clock clock)
      : keys_(keys), guard_(guard), audit_(audit), clock_(std::move(clock)) {}

  grpc::Status CreateKey(grpc::ServerContext* context,
                         const v1::CreateKeyRequest* request,
                         v1::CreateKeyResponse* response) override;
  grpc::Status RevokeKey(grpc::ServerContext* context,
                         const v1::RevokeKeyRequest* request,
                         v1::RevokeKeyResponse* response) override;
  grpc::Status ListKeys(grpc::ServerContext* context,
                        const v1::ListKeysRequest* request,
                        v1::ListKeysResponse* response) override;

 private:
  KeyStore* keys_;
  const CallGuard* guard_;
  AuditLog* audit_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_KEY_SERVICE_H_
