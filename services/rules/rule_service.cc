#include "services/rules/rule_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/call_guard.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/common/paging.h"
#include "services/common/update_mask.h"
#include "services/common/validation.h"
#include "services/rules/rule_validation.h"

namespace plaudit {
namespace {

constexpr char kRulesToken[] = "rules";
constexpr char kRevisionsToken[] = "revisions";

// Who changed a rule: the key (verified); what the caller says about the
// person behind it ("plaudit-actor") only as a note.
std::string ChangedBy(const Caller& caller) {
  const std::string& said = caller.actor;
  return said.empty()
             ? absl::StrCat("key ", caller.key_id)
             : absl::StrCat("key ", caller.key_id, " (for ", said, ")");
}

}  // namespace

RuleService::RuleService(ForTenant<RuleStore> stores,
                         ForTenant<RuleCache> caches, CallGate gate,
                         AuditLog* audit)
    : RpcService(v1::RuleService::service_full_name(), gate),
      stores_(std::move(stores)),
      caches_(std::move(caches)),
      audit_(audit) {
  Handle("CreateRule", &RuleService::CreateRule);
  Handle("GetRule", &RuleService::GetRule);
  Handle("ListRules", &RuleService::ListRules);
  Handle("UpdateRule", &RuleService::UpdateRule);
  Handle("DeleteRule", &RuleService::DeleteRule);
  Handle("ListRuleRevisions", &RuleService::ListRuleRevisions);
}

absl::Status RuleService::CreateRule(const Caller& caller,
                                     const v1::CreateRuleRequest& request,
                                     v1::CreateRuleResponse* response) {
  if (auto s = ValidateRule(request.rule(), "rule"); !s.ok()) return s;
  absl::StatusOr<v1::Rule> rule =
      stores_(caller.tenant).Create(request.rule(), ChangedBy(caller));
  if (!rule.ok()) return rule.status();
  caches_(caller.tenant)
      .Reload()
      .IgnoreError();  // the next award would reload anyway
  audit_->Record(caller, "RULE_CREATED", rule->rule_id(), nullptr, &*rule);
  *response->mutable_rule() = *std::move(rule);
  return absl::OkStatus();
}

absl::Status RuleService::GetRule(const Caller& caller,
                                  const v1::GetRuleRequest& request,
                                  v1::GetRuleResponse* response) {
  if (auto s = ValidateSlug("rule_id", request.rule_id()); !s.ok()) return s;
  absl::StatusOr<v1::Rule> rule = stores_(caller.tenant).Get(request.rule_id());
  if (!rule.ok()) return rule.status();
  *response->mutable_rule() = *std::move(rule);
  return absl::OkStatus();
}

absl::Status RuleService::ListRules(const Caller& caller,
                                    const v1::ListRulesRequest& request,
                                    v1::ListRulesResponse* response) {
  // Rules are listed by id; the token carries the last id.
  absl::StatusOr<PageRequest> page = ReadPageRequest(kRulesToken, request);
  if (!page.ok()) return page.status();
  absl::StatusOr<RuleSnapshot> snapshot = stores_(caller.tenant).Snapshot();
  if (!snapshot.ok()) return snapshot.status();
  const std::string last = TakePage(
      std::move(snapshot->rules), *page,
      [](const v1::Rule& rule) -> const std::string& { return rule.rule_id(); },
      [](const v1::Rule&) { return true; }, response->mutable_rules());
  response->set_next_page_token(NextPageToken(kRulesToken, last));
  return absl::OkStatus();
}

absl::Status RuleService::UpdateRule(const Caller& caller,
                                     const v1::UpdateRuleRequest& request,
                                     v1::UpdateRuleResponse* response) {
  if (auto s = ValidateSlug("rule.rule_id", request.rule().rule_id());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateUpdateMask<v1::Rule>(request.update_mask(),
                                            {"rule_id", "update_time"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<RuleChange> change =
      stores_(caller.tenant)
          .Update(
              request.rule(), request.update_mask(),
              [](const v1::Rule& merged) {
                return ValidateRule(merged, "rule");
              },
              ChangedBy(caller));
  if (!change.ok()) return change.status();
  caches_(caller.tenant).Reload().IgnoreError();
  audit_->Record(caller, "RULE_UPDATED", change->after.rule_id(),
                 &change->before, &change->after);
  *response->mutable_rule() = std::move(change->after);
  return absl::OkStatus();
}

absl::Status RuleService::DeleteRule(const Caller& caller,
                                     const v1::DeleteRuleRequest& request,
                                     v1::DeleteRuleResponse*) {
  if (auto s = ValidateSlug("rule_id", request.rule_id()); !s.ok()) return s;
  absl::StatusOr<v1::Rule> deleted =
      stores_(caller.tenant).Delete(request.rule_id(), ChangedBy(caller));
  if (!deleted.ok()) return deleted.status();
  caches_(caller.tenant).Reload().IgnoreError();
  audit_->Record(caller, "RULE_DELETED", request.rule_id(), &*deleted, nullptr);
  return absl::OkStatus();
}

absl::Status RuleService::ListRuleRevisions(
    const Caller& caller, const v1::ListRuleRevisionsRequest& request,
    v1::ListRuleRevisionsResponse* response) {
  if (auto s = ValidateSlug("rule_id", request.rule_id()); !s.ok()) return s;
  absl::StatusOr<PageRequest> asked = ReadPageRequest(kRevisionsToken, request);
  if (!asked.ok()) return asked.status();
  // The revision number the previous page ended at.
  absl::StatusOr<int64_t> before = NumericCursor(*asked, 1);
  if (!before.ok()) return before.status();
  absl::StatusOr<RevisionPage> page =
      stores_(caller.tenant).Revisions(request.rule_id(), *before, asked->size);
  if (!page.ok()) return page.status();
  if (page->total == 0) {
    return WithReason(absl::NotFoundError(absl::StrCat(
                          "rule ", request.rule_id(), " has no revisions")),
                      "RULE_NOT_FOUND");
  }
  for (auto& revision : page->revisions) {
    *response->add_revisions() = std::move(revision);
  }
  if (response->revisions_size() > 0 &&
      response->revisions().rbegin()->revision() > 1) {
    response->set_next_page_token(NextPageToken(
        kRevisionsToken,
        absl::StrCat(response->revisions().rbegin()->revision())));
  }
  return absl::OkStatus();
}

}  // namespace plaudit
