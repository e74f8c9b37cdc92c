// Rules files: JSON mapped 1:1 onto the RuleSet message. Unknown fields and
// invalid rules are refused with the position of the offending rule, so HR
// learns about a typo before anything changes.
#ifndef PLAUDIT_SERVICES_RULES_RULES_FILE_H_
#define PLAUDIT_SERVICES_RULES_RULES_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/rule_service.pb.h"

namespace plaudit {

absl::StatusOr<v1::RuleSet> ParseRulesJson(absl::string_view json);
absl::StatusOr<v1::RuleSet> ReadRulesFile(const std::string& path);

// True when `a` and `b` differ in anything HR wrote (update_time ignored),
// i.e. when applying `b` over `a` is a real change.
bool RulesDiffer(const v1::Rule& a, const v1::Rule& b);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RULES_RULES_FILE_H_
