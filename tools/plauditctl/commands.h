// plauditctl's commands, by resource (one <resource>_commands.cc each): each
// a few gRPC calls against plauditd, errors returned as absl::Status with
// the server's code and message.
#ifndef PLAUDIT_TOOLS_PLAUDITCTL_COMMANDS_H_
#define PLAUDIT_TOOLS_PLAUDITCTL_COMMANDS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plaudit/v1/event_service.pb.h"
#include "plaudit/v1/key_service.pb.h"
#include "plaudit/v1/leaderboard_service.pb.h"
#include "plaudit/v1/notification_service.pb.h"
#include "plaudit/v1/reward_service.pb.h"
#include "plaudit/v1/webhook_service.pb.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

// Creates or updates rules to match the file; with `prune`, deletes rules
// the file does not name. The file is validated whole before any change.
absl::Status RulesApply(const Connection& c, const std::string& path,
                        bool prune);
// Prints every rule as a rules file (JSON), ready for `rules apply`.
absl::Status RulesList(const Connection& c);
absl::Status UsersImport(const Connection& c, const std::string& path);
absl::Status UsersShow(const Connection& c, const std::string& user_id);
// `balance`: "keep", "pay_out", "forfeit" or "" (the tenant's policy).
absl::Status UsersDeactivate(const Connection& c, const std::string& user_id,
                             const std::string& balance, bool keep_past_places,
                             const std::string& reason);
absl::Status UsersReactivate(const Connection& c, const std::string& user_id);
// Prints the report of what was erased.
absl::Status UsersErase(const Connection& c, const std::string& user_id);
absl::Status EventsSend(const Connection& c, const v1::Event& event);
absl::Status EventsRetract(const Connection& c, const std::string& event_id);
absl::Status ShowBalance(const Connection& c, const std::string& user_id);
absl::Status ShowHistory(const Connection& c, const std::string& user_id,
                         int limit);
absl::Status Adjust(const Connection& c, const std::string& user_id,
                    int64_t delta, const std::string& reason,
                    const std::string& request_id);

// "all", "year", "month", "week", "day" (any case).
absl::StatusOr<v1::Period> ParsePeriod(const std::string& name);
absl::Status ShowTop(const Connection& c, const std::string& scope,
                     v1::Period period, const std::string& bucket, int limit);
absl::Status ShowRank(const Connection& c, const std::string& user_id,
                      const std::string& scope, v1::Period period,
                      const std::string& bucket, int neighbors);
absl::Status SetHidden(const Connection& c, const std::string& user_id,
                       bool hidden);

// "admin", "integration" or "reader".
absl::StatusOr<v1::Role> ParseRole(const std::string& name);
// Offline: adds a new key to a keys file (created if missing) and prints
// its secret once. For the first admin key of a deployment.
absl::Status KeysNew(std::ostream& out, const std::string& path,
                     const std::string& tenant, v1::Role role,
                     const std::string& name);
absl::Status KeysCreate(const Connection& c, v1::Role role,
                        const std::string& name);
absl::Status KeysList(const Connection& c);
absl::Status KeysRevoke(const Connection& c, const std::string& key_id);

// Engagement figures of one bucket with the change against the previous.
absl::Status ShowStats(const Connection& c, const std::string& scope,
                       v1::Period period, const std::string& bucket);

// Creates or updates rewards to match the catalog file (validated whole
// first); rewards not in the file are kept.
absl::Status RewardsApply(const Connection& c, const std::string& path);
absl::Status RewardsList(const Connection& c, bool include_inactive);
absl::Status RedeemReward(const Connection& c,
                          const v1::RedeemRequest& request);
absl::Status RedemptionsList(const Connection& c, const std::string& user_id,
                             const std::string& status);
// "approve", "reject", "fulfil" or "cancel" a redemption.
absl::Status MoveRedemption(const Connection& c, const std::string& action,
                            const std::string& redemption_id,
                            const std::string& reason,
                            const std::string& user_id);

// The tenant's settings (JSON), and changes to them: only the fields given.
struct TenantChange {
  std::string display_name;
  std::string time_zone;
  std::string retention;             // "days,weeks,months,years"
  int privacy_min_active_users = 0;  // 0: unchanged
  std::string periods;               // "all,month,week": the boards kept
  std::string scopes;                // "global,dept:": the boards kept
};
absl::Status TenantShow(const Connection& c);
// Operator keys: a new tenant (prints its settings and its first admin
// key, once), and every tenant.
absl::Status TenantCreate(const Connection& c, const std::string& tenant,
                          const TenantChange& settings,
                          const std::string& admin_key_name);
absl::Status TenantList(const Connection& c);
absl::Status TenantSet(const Connection& c, const TenantChange& change);

// Webhooks (admin keys). Creates an endpoint; prints it (JSON) and its
// signing secret, shown once.
absl::Status WebhooksAdd(const Connection& c, const v1::Webhook& webhook);
absl::Status WebhooksList(const Connection& c);
absl::Status WebhooksShow(const Connection& c, const std::string& webhook_id);
absl::Status WebhooksRemove(const Connection& c, const std::string& webhook_id);
// HR stops (`disabled`) or resumes an endpoint's deliveries.
absl::Status WebhooksSetDisabled(const Connection& c,
                                 const std::string& webhook_id, bool disabled);
// A new signing secret, printed once; the old one signs beside it for a day.
absl::Status WebhooksRotate(const Connection& c, const std::string& webhook_id);
// An endpoint's delivery attempts, newest first; `failed_only`: its dead
// letters.
absl::Status DeliveriesList(const Connection& c, const std::string& webhook_id,
                            bool failed_only);
absl::Status DeliveriesRedeliver(const Connection& c,
                                 const std::string& webhook_id,
                                 const std::string& notification_id);

// Notifications (integration keys). Follows the tenant's notifications, one
// line each (id, kind, users, payload JSON), until interrupted or the stream
// ends.
absl::Status NotificationsTail(const Connection& c,
                               const v1::WatchNotificationsRequest& request);
// A user's inbox, newest first, after the number unread.
absl::Status NotificationsList(const Connection& c, const std::string& user_id,
                               bool unread_only);
// Marks a user's notifications read up to `up_to` (empty: all so far).
absl::Status NotificationsRead(const Connection& c, const std::string& user_id,
                               const std::string& up_to);

}  // namespace plaudit::ctl

#endif  // PLAUDIT_TOOLS_PLAUDITCTL_COMMANDS_H_
