#include "services/rules/award_plan.h"

#include <cmath>

#include "absl/strings/ascii.h"

namespace plaudit {
namespace {

// Not via nanoseconds: int64 nanos overflow after 2262, and HR may well set
// valid_until to 9999-12-31.
absl::Time ToAbsl(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool WithinWindow(const v1::Rule& rule, absl::Time t) {
  if (rule.has_valid_from() && t < ToAbsl(rule.valid_from())) return false;
  if (rule.has_valid_until() && t >= ToAbsl(rule.valid_until())) return false;
  return true;
}

v1::Refusal MakeRefusal(const v1::Rule& rule, const std::string& user_id,
                        v1::Refusal::Reason reason) {
  v1::Refusal refusal;
  refusal.set_rule_id(rule.rule_id());
  refusal.set_user_id(user_id);
  refusal.set_reason(reason);
  return refusal;
}

}  // namespace

std::string NormalizeTag(const std::string& tag) {
  absl::string_view view(tag);
  if (!view.empty() && view.front() == '#') view.remove_prefix(1);
  return absl::AsciiStrToLower(view);
}

int64_t PointsWithTagBonus(
    const v1::Rule& rule,
    const google::protobuf::RepeatedPtrField<std::string>& tags) {
  double multiplier = 1.0;
  bool matched = false;
  for (const auto& [topic, bonus] : rule.tag_bonuses()) {
    const std::string wanted = NormalizeTag(topic);
    for (const std::string& tag : tags) {
      if (NormalizeTag(tag) != wanted) continue;
      multiplier = matched ? std::max(multiplier, bonus) : bonus;
      matched = true;
    }
  }
  return static_cast<int64_t>(
      std::llround(static_cast<double>(rule.points()) * multiplier));
}

AwardPlan PlanAwards(const std::vector<v1::Rule>& rules, const v1::Event& event,
                     absl::Time occurred_at, bool daily_counts_kept) {
  AwardPlan plan;
  for (const v1::Rule& rule : rules) {
    if (rule.action() != event.action()) continue;
    if (rule.has_enabled() && !rule.enabled()) continue;

    const bool to_subject = rule.recipient() == v1::Rule::SUBJECT;
    const std::string& recipient =
        to_subject ? event.subject_id() : event.actor_id();
    if (to_subject && recipient.empty()) {
      plan.refusals.push_back(MakeRefusal(rule, "", v1::Refusal::MISSING_SUBJECT));
      continue;
    }
    v1::Refusal::Reason reason = v1::Refusal::REASON_UNSPECIFIED;
    if (!WithinWindow(rule, occurred_at)) {
      reason = v1::Refusal::OUTSIDE_WINDOW;
    } else if (!rule.allow_self() && !event.subject_id().empty() &&
               event.subject_id() == event.actor_id()) {
      reason = v1::Refusal::SELF_ACTION;
    } else if (rule.once_per_object() && event.object_id().empty()) {
      reason = v1::Refusal::MISSING_OBJECT;
    } else if ((rule.daily_limit() > 0 || rule.max_reciprocal_per_day() > 0) &&
               !daily_counts_kept) {
      reason = v1::Refusal::TOO_LATE;
    }
    if (reason != v1::Refusal::REASON_UNSPECIFIED) {
      plan.refusals.push_back(MakeRefusal(rule, recipient, reason));
      continue;
    }
    AwardCandidate candidate;
    candidate.rule_id = rule.rule_id();
    candidate.user_id = recipient;
    candidate.points = PointsWithTagBonus(rule, event.tags());
    candidate.daily_limit = rule.daily_limit();
    candidate.once_per_object = rule.once_per_object();
    candidate.group = rule.group();
    candidate.min_interval_ms = int64_t{rule.min_interval_seconds()} * 1000;
    candidate.max_reciprocal_per_day = rule.max_reciprocal_per_day();
    plan.candidates.push_back(std::move(candidate));
  }
  return plan;
}

}  // namespace plaudit
