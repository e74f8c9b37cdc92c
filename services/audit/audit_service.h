// AuditService: HR reads its tenant's trail of admin changes.
#ifndef PLAUDIT_SERVICES_AUDIT_AUDIT_SERVICE_H_
#define PLAUDIT_SERVICES_AUDIT_AUDIT_SERVICE_H_

#include "plaudit/v1/audit_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

class AuditService final : public RpcService {
 public:
  AuditService(AuditLog* log, CallGate gate);

  absl::Status ListAuditEvents(const Caller& caller,
                               const v1::ListAuditEventsRequest& request,
                               v1::ListAuditEventsResponse* response);

 private:
  AuditLog* log_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUDIT_AUDIT_SERVICE_H_
