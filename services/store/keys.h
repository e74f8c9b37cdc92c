// The key schema. Every key of a tenant starts with "plaudit:{<tenant>}:" so
// that one tenant's keys share a Redis Cluster slot and multi-key scripts
// stay legal. Free-form ids (user, event, request) only ever come last in a
// key, so "a:b" + "c" and "a" + "b:c" can never collide.
#ifndef PLAUDIT_SERVICES_STORE_KEYS_H_
#define PLAUDIT_SERVICES_STORE_KEYS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace plaudit {

// Every key family of a tenant, after the prefix: its Redis type and how
// long it lives. Scripts build some of them themselves (lua/*.lua); a test
// (keys_test) fails on any prefix the C++ or Lua sources build that this
// table does not list, and on any listed that nothing builds.
struct KeyFamily {
  absl::string_view prefix;    // "acct:" for "plaudit:{t}:acct:<user>"
  absl::string_view type;      // Redis type
  absl::string_view lifetime;  // what ends it
};
inline constexpr KeyFamily kKeyFamilies[] = {
    {"user:", "hash", "kept"},
    {"reports:", "set", "kept (a manager's direct reports)"},
    {"names", "hash", "kept"},
    {"names:version", "string", "kept"},
    {"groups", "set", "kept"},
    {"scopes:", "set", "kept"},
    {"rules", "hash", "kept"},
    {"rules:version", "string", "kept"},
    {"rules:revisions:", "list", "kept"},
    {"event:", "hash", "kept (idempotency of event ids)"},
    {"acct:", "hash", "kept"},
    {"ledger:", "stream", "kept"},
    {"adjust:", "hash", "kept (idempotency of request ids)"},
    {"lb:", "zset", "the bucket's retention (all time: kept)"},
    {"lbh:", "zset", "the bucket's retention (all time: kept)"},
    {"stats:", "hash", "the bucket's retention (all time: kept)"},
    {"active:", "hyperloglog", "the bucket's retention (all time: kept)"},
    {"once:", "set", "kept (objects a rule paid an actor for; lua)"},
    {"limit:", "string", "the end of the day it counts (lua)"},
    {"pace:", "string", "the rule's minimum interval (lua)"},
    {"pair:", "string", "the end of the day it counts (lua)"},
    {"reward:", "hash", "kept (archived, never deleted)"},
    {"rewards", "set", "kept"},
    {"redeem:", "hash", "kept (idempotency of request ids)"},
    {"redeemed:", "string", "the end of the reward's limit period (lua)"},
    {"redemption:", "hash", "kept"},
    {"redemptions:seq", "string", "kept (lua)"},
    {"redemptions:all", "zset", "kept"},
    {"redemptions:user:", "zset", "kept"},
    {"redemptions:status:", "zset", "kept"},
    {"apikey:", "string", "kept (revoked keys too, for the audit)"},
    {"apikey-revoked:", "string", "kept"},
    {"apikeys", "set", "kept"},
    {"audit", "stream", "kept"},
    {"settings", "hash", "kept"},
    {"outbox", "stream", "the tenant's notification retention (trimmed)"},
    {"outbox:trimmed", "string", "kept (the id the outbox was trimmed to)"},
    {"inbox:", "stream", "its latest 100 entries (lua)"},
    {"inbox-read", "hash", "kept (user -> newest notification read)"},
    {"webhook:", "hash", "until the endpoint is deleted"},
    {"webhooks", "set", "kept"},
    {"webhook-lease:", "hash", "until the endpoint is deleted"},
    {"webhook-log:", "stream", "its latest 1,000 attempts (lua)"},
    {"webhook-dead:", "zset", "its latest 10,000 dead letters (lua)"},
    {"webhook-redeliver:", "list", "until redelivered"},
    {"managers", "set", "kept (users who have had reports: digests)"},
    {"digested:", "set", "three days (managers told of that day; lua)"},
};

class KeySchema {
 public:
  // Set of every tenant created or configured: the one key outside any
  // tenant's slot (written after, never with, a tenant's own keys).
  static std::string TenantRegistry() { return "plaudit:tenants"; }
  // Set of every tenant that has had a webhook endpoint (likewise).
  static std::string WebhookTenants() { return "plaudit:webhook-tenants"; }

  explicit KeySchema(absl::string_view tenant)
      : prefix_(absl::StrCat("plaudit:{", tenant, "}:")) {}

  // Scripts build their per-user keys from this prefix (see lua/*.lua).
  const std::string& prefix() const { return prefix_; }

  // Hash: groups (space separated), hidden ("1" = off leaderboards),
  // manager (user id, "" = none), left (ms since epoch: deactivated then),
  // erased ("1": personal data erased).
  std::string User(absl::string_view user_id) const {
    return absl::StrCat(prefix_, "user:", user_id);
  }
  // Set of every user who has had direct reports (digests go to them).
  std::string Managers() const { return absl::StrCat(prefix_, "managers"); }
  // Set of the managers told of the day's digest (day as "2026-12-07").
  std::string Digested(absl::string_view day) const {
    return absl::StrCat(prefix_, "digested:", day);
  }
  // Set of a manager's direct reports (user ids).
  std::string Reports(absl::string_view manager_id) const {
    return absl::StrCat(prefix_, "reports:", manager_id);
  }
  // Hash: user_id -> display name, in one hash so that a leaderboard page
  // reads all its names with one HMGET.
  std::string Names() const { return absl::StrCat(prefix_, "names"); }
  // Integer, bumped by every change of a name (see NameCache).
  std::string NamesVersion() const {
    return absl::StrCat(prefix_, "names:version");
  }
  // Hash: rule_id -> serialized Rule.
  std::string Rules() const { return absl::StrCat(prefix_, "rules"); }
  // Integer, bumped by every rule change.
  std::string RulesVersion() const {
    return absl::StrCat(prefix_, "rules:version");
  }
  // List of serialized RuleRevision, oldest first.
  std::string RuleRevisions(absl::string_view rule_id) const {
    return absl::StrCat(prefix_, "rules:revisions:", rule_id);
  }
  // Hash: the idempotency record and outcome of one event.
  std::string Event(absl::string_view event_id) const {
    return absl::StrCat(prefix_, "event:", event_id);
  }
  // Hash: balance, earned.
  std::string Account(absl::string_view user_id) const {
    return absl::StrCat(prefix_, "acct:", user_id);
  }
  // Stream of ledger entries.
  std::string Ledger(absl::string_view user_id) const {
    return absl::StrCat(prefix_, "ledger:", user_id);
  }
  // Sorted set of -points per user: one leaderboard (bucket_key from
  // BucketKey(), scope "global" or a group). Hidden users live on "lbh:".
  std::string Board(absl::string_view bucket_key, absl::string_view scope,
                    bool hidden = false) const {
    return absl::StrCat(prefix_, hidden ? "lbh:" : "lb:", bucket_key, ":",
                        scope);
  }
  // Hash of engagement counters of one bucket and scope: events:<action>,
  // points, redeemed (and, written before 2026-12, "events", no longer
  // read). HyperLogLog of its active users.
  std::string Stats(absl::string_view bucket_key,
                    absl::string_view scope) const {
    return absl::StrCat(prefix_, "stats:", bucket_key, ":", scope);
  }
  std::string ActiveUsers(absl::string_view bucket_key,
                          absl::string_view scope) const {
    return absl::StrCat(prefix_, "active:", bucket_key, ":", scope);
  }
  // Set of every group any synced user belongs to (or belonged to): a
  // board of a group nobody was ever in is "not found", not empty.
  std::string Groups() const { return absl::StrCat(prefix_, "groups"); }
  // Set of the scopes a user has scored on.
  std::string Scopes(absl::string_view user_id) const {
    return absl::StrCat(prefix_, "scopes:", user_id);
  }
  // Hash: a catalog reward (data = serialized Reward, plus the live fields
  // the redeem script checks: cost, stock, active, archived, group, ...).
  std::string Reward(absl::string_view reward_id) const {
    return absl::StrCat(prefix_, "reward:", reward_id);
  }
  // Set of every reward id.
  std::string Catalog() const { return absl::StrCat(prefix_, "rewards"); }
  // Hash: one redemption.
  std::string Redemption(absl::string_view redemption_id) const {
    return absl::StrCat(prefix_, "redemption:", redemption_id);
  }
  // Hash: the idempotency record of one Redeem request.
  std::string RedeemRequest(absl::string_view request_id) const {
    return absl::StrCat(prefix_, "redeem:", request_id);
  }
  // Sorted sets of redemption ids by sequence: all, per user, per status.
  std::string RedemptionsAll() const {
    return absl::StrCat(prefix_, "redemptions:all");
  }
  std::string RedemptionsOfUser(absl::string_view user_id) const {
    return absl::StrCat(prefix_, "redemptions:user:", user_id);
  }
  std::string RedemptionsWithStatus(absl::string_view status) const {
    return absl::StrCat(prefix_, "redemptions:status:", status);
  }
  // Hash: the idempotency record of one balance adjustment.
  std::string Adjustment(absl::string_view request_id) const {
    return absl::StrCat(prefix_, "adjust:", request_id);
  }
  // String: a serialized ApiKey (salt and digest, never the secret).
  std::string ApiKey(absl::string_view key_id) const {
    return absl::StrCat(prefix_, "apikey:", key_id);
  }
  // String "1": the key was revoked.
  std::string RevokedApiKey(absl::string_view key_id) const {
    return absl::StrCat(prefix_, "apikey-revoked:", key_id);
  }
  // Set of the tenant's key ids.
  std::string ApiKeys() const { return absl::StrCat(prefix_, "apikeys"); }
  // Hash: the tenant's settings (data = serialized TenantSettings) and
  // their version, bumped by every change.
  std::string Settings() const { return absl::StrCat(prefix_, "settings"); }
  // Stream of audit entries (admin changes), oldest first.
  std::string Audit() const { return absl::StrCat(prefix_, "audit"); }
  // Stream of notifications, written by the scripts that make the changes
  // (lua/outbox_lib.lua); the id below which it was last trimmed.
  std::string Outbox() const { return absl::StrCat(prefix_, "outbox"); }
  std::string OutboxTrimmed() const {
    return absl::StrCat(prefix_, "outbox:trimmed");
  }
  // Stream: a user's copy of the notifications concerning them.
  std::string Inbox(absl::string_view user_id) const {
    return absl::StrCat(prefix_, "inbox:", user_id);
  }
  // Hash: user_id -> the newest notification id they have read.
  std::string InboxRead() const { return absl::StrCat(prefix_, "inbox-read"); }
  // Hash: a webhook endpoint (HR's settings, its secrets, how deliveries
  // go); the set of the tenant's endpoints; the lease of the replica that
  // delivers to it; its latest attempts (stream), its dead letters (zset
  // by notification time, member = the JSON of the letter), the dead
  // letters asked to be redelivered (list of notification ids).
  std::string Webhook(absl::string_view id) const {
    return absl::StrCat(prefix_, "webhook:", id);
  }
  std::string Webhooks() const { return absl::StrCat(prefix_, "webhooks"); }
  std::string WebhookLease(absl::string_view id) const {
    return absl::StrCat(prefix_, "webhook-lease:", id);
  }
  std::string WebhookLog(absl::string_view id) const {
    return absl::StrCat(prefix_, "webhook-log:", id);
  }
  std::string WebhookDead(absl::string_view id) const {
    return absl::StrCat(prefix_, "webhook-dead:", id);
  }
  std::string WebhookRedeliver(absl::string_view id) const {
    return absl::StrCat(prefix_, "webhook-redeliver:", id);
  }

 private:
  std::string prefix_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_KEYS_H_
