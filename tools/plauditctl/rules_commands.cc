#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "plaudit/v1/rule_service.grpc.pb.h"
#include "services/common/change_plan.h"
#include "services/rules/rules_file.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

namespace {

// Fetches every rule, following page tokens.
absl::StatusOr<std::vector<v1::Rule>> FetchRules(const Connection& c) {
  std::vector<v1::Rule> rules;
  v1::ListRulesRequest request;
  request.set_page_size(1000);
  do {
    absl::StatusOr<v1::ListRulesResponse> response =
        Call(c, &v1::RuleService::Stub::ListRules, request);
    if (!response.ok()) return response.status();
    rules.insert(rules.end(), response->rules().begin(),
                 response->rules().end());
    request.set_page_token(response->next_page_token());
  } while (!request.page_token().empty());
  return rules;
}

}  // namespace

absl::Status RulesApply(const Connection& c, const std::string& path,
                        bool prune) {
  absl::StatusOr<v1::RuleSet> wanted = ReadRulesFile(path);
  if (!wanted.ok()) return wanted.status();
  absl::StatusOr<std::vector<v1::Rule>> existing = FetchRules(c);
  if (!existing.ok()) return existing.status();
  const ChangePlan<v1::Rule> plan = PlanChanges<v1::Rule>(
      *existing, wanted->rules(), [](const v1::Rule& r) { return r.rule_id(); },
      RulesDiffer);

  using Stub = v1::RuleService::Stub;
  for (const v1::Rule& rule : plan.create) {
    v1::CreateRuleRequest request;
    *request.mutable_rule() = rule;
    const auto done = Call(c, &Stub::CreateRule, request);
    if (!done.ok()) return Naming("rule " + rule.rule_id(), done.status());
  }
  for (const v1::Rule& rule : plan.update) {
    v1::UpdateRuleRequest request;  // no mask: the file's rule replaces all
    *request.mutable_rule() = rule;
    const auto done = Call(c, &Stub::UpdateRule, request);
    if (!done.ok()) return Naming("rule " + rule.rule_id(), done.status());
  }
  for (const std::string& id : plan.absent) {
    if (!prune) break;
    v1::DeleteRuleRequest request;
    request.set_rule_id(id);
    const auto done = Call(c, &Stub::DeleteRule, request);
    if (!done.ok()) return Naming("rule " + id, done.status());
  }
  *c.out << absl::StrFormat(
      "rules: %d created, %d updated, %d unchanged, %d deleted%s\n",
      plan.create.size(), plan.update.size(), plan.unchanged,
      prune ? plan.absent.size() : 0,
      !prune && !plan.absent.empty()
          ? absl::StrCat(" (", plan.absent.size(),
                         " not in the file kept; --prune deletes them)")
          : "");
  return absl::OkStatus();
}

absl::Status RulesList(const Connection& c) {
  absl::StatusOr<std::vector<v1::Rule>> rules = FetchRules(c);
  if (!rules.ok()) return rules.status();
  v1::RuleSet set;
  for (auto& rule : *rules) {
    rule.clear_update_time();  // output only: keeps the file re-appliable
    *set.add_rules() = std::move(rule);
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  google::protobuf::util::MessageToJsonString(set, &json, options);
  *c.out << json;
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
