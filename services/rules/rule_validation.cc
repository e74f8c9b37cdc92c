#include "services/rules/rule_validation.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

using google::protobuf::util::TimeUtil;

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >= TimeUtil::kTimestampMinSeconds &&
         ts.seconds() <= TimeUtil::kTimestampMaxSeconds && ts.nanos() >= 0 &&
         ts.nanos() < 1'000'000'000;
}

}  // namespace

absl::Status ValidateRule(const v1::Rule& rule, absl::string_view prefix) {
  auto field = [&](absl::string_view name) {
    return absl::StrCat(prefix, ".", name);
  };
  if (auto s = ValidateSlug(field("rule_id"), rule.rule_id()); !s.ok()) return s;
  if (auto s = ValidateAction(field("action"), rule.action()); !s.ok()) return s;
  if (!v1::Rule::Recipient_IsValid(rule.recipient()) ||
      rule.recipient() == v1::Rule::RECIPIENT_UNSPECIFIED) {
    return InvalidField(field("recipient"), "must be ACTOR or SUBJECT");
  }
  if (rule.points() == 0 || std::llabs(rule.points()) > kMaxRulePoints) {
    return InvalidField(field("points"),
                        absl::StrCat("must be non-zero and within +-",
                                     kMaxRulePoints, ", got ", rule.points()));
  }
  if (rule.daily_limit() < 0) {
    return InvalidField(field("daily_limit"), "must be >= 0 (0 = no limit)");
  }
  for (const auto& [topic, multiplier] : rule.tag_bonuses()) {
    const std::string name = field(absl::StrCat("tag_bonuses[", topic, "]"));
    if (auto s = ValidateId(name, topic, 64); !s.ok()) return s;
    if (!std::isfinite(multiplier) || multiplier <= 0 ||
        multiplier > kMaxTagMultiplier) {
      return InvalidField(name, absl::StrCat("multiplier must be in (0, ",
                                             kMaxTagMultiplier, "]"));
    }
  }
  if (rule.has_valid_from() && !IsValidTimestamp(rule.valid_from())) {
    return InvalidField(field("valid_from"), "is not a valid timestamp");
  }
  if (rule.has_valid_until() && !IsValidTimestamp(rule.valid_until())) {
    return InvalidField(field("valid_until"), "is not a valid timestamp");
  }
  if (rule.has_valid_from() && rule.has_valid_until() &&
      rule.valid_until() <= rule.valid_from()) {
    return InvalidField(field("valid_until"), "must be after valid_from");
  }
  if (rule.min_interval_seconds() < 0 || rule.min_interval_seconds() > 86400) {
    return InvalidField(field("min_interval_seconds"), "must be 0 to 86400");
  }
  if (rule.max_reciprocal_per_day() < 0 || rule.max_reciprocal_per_day() > 10000) {
    return InvalidField(field("max_reciprocal_per_day"), "must be 0 to 10000");
  }
  if (rule.max_reciprocal_per_day() > 0 && rule.recipient() != v1::Rule::SUBJECT) {
    return InvalidField(field("max_reciprocal_per_day"),
                        "only applies to rules paying the SUBJECT");
  }
  if (!rule.group().empty()) {
    if (auto s = ValidateGroup(field("group"), rule.group()); !s.ok()) return s;
  }
  return ValidateText(field("description"), rule.description(), 1024);
}

}  // namespace plaudit
