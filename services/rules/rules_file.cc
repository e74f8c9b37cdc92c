#include "services/rules/rules_file.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/rules/rule_validation.h"

namespace plaudit {

absl::StatusOr<v1::RuleSet> ParseRulesJson(absl::string_view json) {
  v1::RuleSet rules;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo must not pass silently
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(std::string(json), &rules, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rules file: ", parsed.message().as_string()));
  }
  std::set<std::string> seen;
  for (int i = 0; i < rules.rules_size(); ++i) {
    const std::string field = absl::StrCat("rules[", i, "]");
    if (auto s = ValidateRule(rules.rules(i), field); !s.ok()) return s;
    if (!seen.insert(rules.rules(i).rule_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".rule_id: ", rules.rules(i).rule_id(), " appears twice"));
    }
  }
  return rules;
}

absl::StatusOr<v1::RuleSet> ReadRulesFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read rules file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<v1::RuleSet> rules = ParseRulesJson(text.str());
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
