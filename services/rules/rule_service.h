// RuleService: HR's reward rules over gRPC (a thin adapter over RuleStore).
#ifndef PLAUDIT_SERVICES_RULES_RULE_SERVICE_H_
#define PLAUDIT_SERVICES_RULES_RULE_SERVICE_H_

#include "plaudit/v1/rule_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/rpc/rpc_service.h"
#include "services/rules/rule_cache.h"
#include "services/rules/rule_store.h"

namespace plaudit {

class RuleService final : public RpcService {
 public:
  RuleService(ForTenant<RuleStore> stores, ForTenant<RuleCache> caches,
              CallGate gate, AuditLog* audit);

  absl::Status CreateRule(const Caller& caller,
                          const v1::CreateRuleRequest& request,
                          v1::CreateRuleResponse* response);
  absl::Status GetRule(const Caller& caller, const v1::GetRuleRequest& request,
                       v1::GetRuleResponse* response);
  absl::Status ListRules(const Caller& caller,
                         const v1::ListRulesRequest& request,
                         v1::ListRulesResponse* response);
  absl::Status UpdateRule(const Caller& caller,
                          const v1::UpdateRuleRequest& request,
                          v1::UpdateRuleResponse* response);
  absl::Status DeleteRule(const Caller& caller,
                          const v1::DeleteRuleRequest& request,
                          v1::DeleteRuleResponse* response);
  absl::Status ListRuleRevisions(const Caller& caller,
                                 const v1::ListRuleRevisionsRequest& request,
                                 v1::ListRuleRevisionsResponse* response);

 private:
  ForTenant<RuleStore> stores_;
  ForTenant<RuleCache> caches_;
  AuditLog* audit_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RULES_RULE_SERVICE_H_
