// RuleService: HR's reward rules over gRPC (a thin adapter over RuleStore).
#ifndef PLAUDIT_SERVICES_RULES_RULE_SERVICE_H_
#define PLAUDIT_SERVICES_RULES_RULE_SERVICE_H_

#include "services/common/call_guard.h"
#include "plaudit/v1/rule_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/rules/rule_cache.h"
#include "services/rules/rule_store.h"

namespace plaudit {

class RuleService final : public v1::RuleService::Service {
 public:
  RuleService(ForTenant<RuleStore> stores, ForTenant<RuleCache> caches,
              const CallGuard* guard, AuditLog* audit)
      : stores_(std::move(stores)),
        caches_(std::move(caches)),
        guard_(guard),
        audit_(audit) {}

  grpc::Status CreateRule(grpc::ServerContext* context,
                          const v1::CreateRuleRequest* request,
                          v1::CreateRuleResponse* response) override;
  grpc::Status GetRule(grpc::ServerContext* context,
                       const v1::GetRuleRequest* request,
                       v1::GetRuleResponse* response) override;
  grpc::Status ListRules(grpc::ServerContext* context,
                         const v1::ListRulesRequest* request,
                         v1::ListRulesResponse* response) override;
  grpc::Status UpdateRule(grpc::ServerContext* context,
                          const v1::UpdateRuleRequest* request,
                          v1::UpdateRuleResponse* response) override;
  grpc::Status DeleteRule(grpc::ServerContext* context,
                          const v1::DeleteRuleRequest* request,
                          v1::DeleteRuleResponse* response) override;
  grpc::Status ListRuleRevisions(
      grpc::ServerContext* context, const v1::ListRuleRevisionsRequest* request,
      v1::ListRuleRevisionsResponse* response) override;

 private:
  ForTenant<RuleStore> stores_;
  ForTenant<RuleCache> caches_;
  const CallGuard* guard_;
  AuditLog* audit_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RULES_RULE_SERVICE_H_
