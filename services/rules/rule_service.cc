#include "services/rules/rule_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/call_guard.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"
#include "services/rules/rule_validation.h"

namespace plaudit {
namespace {

constexpr char kRulesToken[] = "rules";
constexpr char kRevisionsToken[] = "revisions";

absl::Status ValidateMask(const google::protobuf::FieldMask& mask) {
  for (const std::string& path : mask.paths()) {
    if (path == "rule_id" || path == "update_time") {
      return InvalidField("update_mask",
                          absl::StrCat(path, " cannot be changed"));
    }
    google::protobuf::FieldMask single;
    single.add_paths(path);
    if (!google::protobuf::util::FieldMaskUtil::IsValidFieldMask<v1::Rule>(
            single)) {
      return InvalidField("update_mask",
                          absl::StrCat("unknown Rule field \"", path, "\""));
    }
  }
  return absl::OkStatus();
}

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
  absl::StatusOr<int32_t> page_size =
      ResolvePageSize("page_size", request.page_size());
  if (!page_size.ok()) return page_size.status();
  std::string after;  // rules are listed by id; the token is the last id
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> cursor =
        DecodePageToken(kRulesToken, request.page_token());
    if (!cursor.ok()) return cursor.status();
    after = *cursor;
  }
  absl::StatusOr<RuleSnapshot> snapshot = stores_(caller.tenant).Snapshot();
  if (!snapshot.ok()) return snapshot.status();
  auto it =
      std::upper_bound(snapshot->rules.begin(), snapshot->rules.end(), after,
                       [](const std::string& id, const v1::Rule& r) {
                         return id < r.rule_id();
                       });
  for (; it != snapshot->rules.end() && response->rules_size() < *page_size;
       ++it) {
    *response->add_rules() = *it;
  }
  if (it != snapshot->rules.end()) {
    response->set_next_page_token(
        EncodePageToken(kRulesToken, response->rules().rbegin()->rule_id()));
  }
  return absl::OkStatus();
}

absl::Status RuleService::UpdateRule(const Caller& caller,
                                     const v1::UpdateRuleRequest& request,
                                     v1::UpdateRuleResponse* response) {
  if (auto s = ValidateSlug("rule.rule_id", request.rule().rule_id());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateMask(request.update_mask()); !s.ok()) return s;
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
  absl::StatusOr<int32_t> page_size =
      ResolvePageSize("page_size", request.page_size());
  if (!page_size.ok()) return page_size.status();
  int64_t before = 0;  // the revision number the previous page ended at
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> cursor =
        DecodePageToken(kRevisionsToken, request.page_token());
    if (!cursor.ok()) return cursor.status();
    if (!absl::SimpleAtoi(*cursor, &before) || before < 1) {
      return InvalidField("page_token", "is malformed");
    }
  }
  absl::StatusOr<RevisionPage> page =
      stores_(caller.tenant).Revisions(request.rule_id(), before, *page_size);
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
    response->set_next_page_token(EncodePageToken(
        kRevisionsToken,
        absl::StrCat(response->revisions().rbegin()->revision())));
  }
  return absl::OkStatus();
}

}  // namespace plaudit
