// AuditService: HR reads its tenant's trail of admin changes.
#ifndef PLAUDIT_SERVICES_AUDIT_AUDIT_SERVICE_H_
#define PLAUDIT_SERVICES_AUDIT_AUDIT_SERVICE_H_

#include "plaudit/v1/audit_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/common/call_guard.h"

namespace plaudit {

class AuditService final : public v1::AuditService::Service {
 public:
  AuditService(AuditLog* log, const CallGuard* guard) : log_(log), guard_(guard) {}

  grpc::Status ListAuditEvents(grpc::ServerContext* context,
                               const v1::ListAuditEventsRequest* request,
                               v1::ListAuditEventsResponse* response) override;

 private:
  AuditLog* log_;
  const CallGuard* guard_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUDIT_AUDIT_SERVICE_H_
