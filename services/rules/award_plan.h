// Pure rule matching: which rules an event triggers, for whom, how many
// points, and which rules matched but cannot pay for reasons known without
// storage (self-action, window, missing subject/object). Checks that need
// storage (group, daily limit, once per object) travel with each candidate
// into the award script, which decides atomically.
#ifndef PLAUDIT_SERVICES_RULES_AWARD_PLAN_H_
#define PLAUDIT_SERVICES_RULES_AWARD_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "plaudit/v1/event_service.pb.h"
#include "plaudit/v1/rule_service.pb.h"

namespace plaudit {

struct AwardCandidate {
  std::string rule_id;
  std::string user_id;
  int64_t points = 0;
  int32_t daily_limit = 0;
  bool once_per_object = false;
  std::string group;  // required group of the recipient; empty = any
  int64_t min_interval_ms = 0;
  int32_t max_reciprocal_per_day = 0;
};

struct AwardPlan {
  std::vector<AwardCandidate> candidates;
  std::vector<v1::Refusal> refusals;
};

// `occurred_at` is the event's resolved time (its own, or now).
// `daily_counts_kept`: whether the event's day is recent enough that its
// daily-limit counts still exist; if not, daily-limited rules refuse TOO_LATE.
AwardPlan PlanAwards(const std::vector<v1::Rule>& rules, const v1::Event& event,
                     absl::Time occurred_at, bool daily_counts_kept = true);

// Points of `rule` for an event with `tags`: the rule's points times the
// highest multiplier among its matching tag bonuses, rounded half away from 0.
int64_t PointsWithTagBonus(const v1::Rule& rule,
                           const google::protobuf::RepeatedPtrField<std::string>& tags);

// "#Priority" -> "priority": how tags and bonus topics are compared.
std::string NormalizeTag(const std::string& tag);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RULES_AWARD_PLAN_H_
