// Validation of a rule as HR writes it (API or rules file).
#ifndef PLAUDIT_SERVICES_RULES_RULE_VALIDATION_H_
#define PLAUDIT_SERVICES_RULES_RULE_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/rule_service.pb.h"

namespace plaudit {

inline constexpr int64_t kMaxRulePoints = 1'000'000;
inline constexpr double kMaxTagMultiplier = 100.0;

// INVALID_ARGUMENT naming "<field_prefix>.<field>" for the first problem.
absl::Status ValidateRule(const v1::Rule& rule, absl::string_view field_prefix);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RULES_RULE_VALIDATION_H_
