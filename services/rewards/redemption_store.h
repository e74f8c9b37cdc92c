// Redemptions: placing them (one script checks the reward and the balance
// and debits at once), moving them through HR's workflow, listing them.
#ifndef PLAUDIT_SERVICES_REWARDS_REDEMPTION_STORE_H_
#define PLAUDIT_SERVICES_REWARDS_REDEMPTION_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "plaudit/v1/reward_service.pb.h"
#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

enum class RedemptionAction { kApprove, kReject, kFulfil, kCancel };

struct RedemptionFilter {
  std::string user_id;  // empty = any
  v1::Redemption::Status status = v1::Redemption::STATUS_UNSPECIFIED;  // any
};

struct RedemptionPage {
  std::vector<v1::Redemption> redemptions;  // newest first
  int64_t last_sequence = 0;                // 0 when this is the last page
};

class RedemptionStore {
 public:
  // `calendar`: per-user limits count per local period, and points
  // redeemed count in the engagement figures of the current buckets.
  RedemptionStore(RedisClient* redis, KeySchema keys,
                  const CalendarSource* calendar, Clock clock)
      : redis_(redis),
        keys_(std::move(keys)),
        calendar_(calendar),
        clock_(std::move(clock)) {}

  // Request validated by the caller. FAILED_PRECONDITION with the reason
  // when refused (nothing debited); NOT_FOUND for an unknown reward.
  absl::StatusOr<v1::RedeemResponse> Redeem(const v1::RedeemRequest& request);
  absl::StatusOr<v1::Redemption> Get(const std::string& redemption_id);
  // Redemptions older than sequence `before` (0 = from the newest).
  absl::StatusOr<RedemptionPage> List(const RedemptionFilter& filter,
                                      int64_t before, int limit);
  // FAILED_PRECONDITION when the transition is not allowed from the current
  // status; PERMISSION_DENIED when `user_id` cancels another's redemption
  // or `manager` ("" = an admin acts) does not manage its user.
  absl::StatusOr<v1::Redemption> Apply(const std::string& redemption_id,
                                       RedemptionAction action,
                                       const std::string& reason,
                                       const std::string& user_id,
                                       const std::string& manager = "");

 private:
  RedisClient* redis_;
  const KeySchema keys_;
  const CalendarSource* calendar_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_REWARDS_REDEMPTION_STORE_H_
