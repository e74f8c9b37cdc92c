// libFuzzer target: untrusted input to request validation, the rules and
// catalog file parsers, page tokens, API keys and bucket ids must never
// crash, hang or trip a sanitizer — only be refused.
// Build and run: tools/fuzz/run.sh [seconds]
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/stubs/logging.h"
#include "plaudit/v1/event_service.pb.h"
#include "plaudit/v1/reward_service.pb.h"
#include "plaudit/v1/rule_service.pb.h"
#include "services/auth/api_key.h"
#include "services/common/paging.h"
#include "services/common/period.h"
#include "services/common/validation.h"
#include "services/events/event_validation.h"
#include "services/rewards/reward_validation.h"
#include "services/rules/award_plan.h"
#include "services/rules/rule_validation.h"
#include "services/rules/rules_file.h"

// Random bytes are mostly invalid UTF-8: protobuf would log each refusal.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace plaudit;  // NOLINT: a fuzz target, not a library
  const std::string input(reinterpret_cast<const char*>(data), size);
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);

  // Files HR writes.
  absl::StatusOr<v1::RuleSet> rules = ParseRulesJson(input);
  ParseCatalogJson(input).IgnoreError();

  // Requests as they arrive on the wire.
  v1::Event event;
  if (event.ParseFromString(input) &&
      ValidateEvent(event, "event", now).ok()) {
    const std::vector<v1::Rule> matched =
        rules.ok() ? std::vector<v1::Rule>(rules->rules().begin(),
                                           rules->rules().end())
                   : std::vector<v1::Rule>{};
    PlanAwards(matched, event, ResolveOccurredAt(event, now));
  }
  v1::Rule rule;
  if (rule.ParseFromString(input) && ValidateRule(rule, "rule").ok()) {
    PlanAwards({rule}, event, now);
  }
  v1::Reward reward;
  if (reward.ParseFromString(input)) ValidateReward(reward, "reward").IgnoreError();

  // Strings callers control.
  DecodePageToken("rules", input).IgnoreError();
  ParseBearer(input).IgnoreError();
  ValidateGroup("scope", input).IgnoreError();
  for (Period period : kAllPeriods) ParseBucket(period, input, "bucket").IgnoreError();
  return 0;
}
