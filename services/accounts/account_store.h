// Balances and the ledger in Redis. Writes that pay go through scripts (the
// award script, or the adjust script here) so a balance never moves without
// its ledger entry.
#ifndef PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_STORE_H_
#define PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plaudit/v1/account_service.pb.h"
#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"
#include "services/store/stream_id.h"

namespace plaudit {

struct LedgerPage {
  std::vector<v1::LedgerEntry> entries;  // newest first
  std::string last_entry_id;             // empty when this is the last page
};

struct Adjustment {
  std::string user_id;
  int64_t delta = 0;
  std::string reason;
  std::string request_id;
  // The manager acting for the user ("" = HR): checked by the script.
  std::string manager;
};

class AccountStore {
 public:
  // Adjustments count on the leaderboards of the current buckets.
  AccountStore(RedisClient* redis, KeySchema keys,
               const CalendarSource* calendar, Clock clock);

  // A user without any entry has a zero balance (not NOT_FOUND).
  absl::StatusOr<v1::Balance> GetBalance(const std::string& user_id);
  // Entries older than `before_entry_id` (empty = from the newest).
  absl::StatusOr<LedgerPage> ListLedger(const std::string& user_id,
                                        const std::string& before_entry_id,
                                        int limit);
  // FAILED_PRECONDITION when the balance would go below zero, or when the
  // request_id was used before with different arguments.
  absl::StatusOr<v1::AdjustBalanceResponse> Adjust(
      const Adjustment& adjustment);

 private:
  RedisClient* redis_;
  const KeySchema keys_;
  const CalendarSource* calendar_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_STORE_H_
