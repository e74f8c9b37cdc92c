#include "services/rules/rules_file.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/common/json_file.h"
#include "services/rules/rule_validation.h"

namespace plaudit {

absl::StatusOr<v1::RuleSet> ParseRulesJson(absl::string_view json) {
  absl::StatusOr<v1::RuleSet> parsed =
      ParseJsonMessage<v1::RuleSet>(json, "rules file");
  if (!parsed.ok()) return parsed.status();
  const v1::RuleSet& rules = *parsed;
  std::set<std::string> seen;
  for (int i = 0; i < rules.rules_size(); ++i) {
    const std::string field = absl::StrCat("rules[", i, "]");
    if (auto s = ValidateRule(rules.rules(i), field); !s.ok()) return s;
    if (!seen.insert(rules.rules(i).rule_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".rule_id: ", rules.rules(i).rule_id(), " appears twice"));
    }
  }
  return parsed;
}

absl::StatusOr<v1::RuleSet> ReadRulesFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<v1::RuleSet> rules = ParseRulesJson(*text);
  if (!rules.ok()) {
    return absl::Status(rules.status().code(),
                        absl::StrCat(path, ": ", rules.status().message()));
  }
  return rules;
}

bool RulesDiffer(const v1::Rule& a, const v1::Rule& b) {
  v1::Rule left = a;
  v1::Rule right = b;
  left.clear_update_time();
  right.clear_update_time();
  return !google::protobuf::util::MessageDifferencer::Equals(left, right);
}

}  // namespace plaudit
