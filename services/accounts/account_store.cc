#include "services/accounts/account_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/error_reason.h"
#include "services/store/bucket_args.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"
#include "services/users/user_errors.h"

namespace plaudit {
namespace {

using google::protobuf::util::TimeUtil;

// A stream entry [id, [field, value, ...]] as a ledger entry.
v1::LedgerEntry ParseLedgerEntry(const RedisValue& item) {
  v1::LedgerEntry entry;
  entry.set_entry_id(item.elements.at(0).str);
  const auto& fields = item.elements.at(1).elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    if (name == "type") {
      v1::LedgerEntry::Type type;
      entry.set_type(v1::LedgerEntry::Type_Parse(value, &type)
                         ? type
                         : v1::LedgerEntry::TYPE_UNSPECIFIED);
    } else if (name == "delta") {
      entry.set_delta(ParseInteger(value));
    } else if (name == "balance") {
      entry.set_balance_after(ParseInteger(value));
    } else if (name == "ref") {
      entry.set_reference(value);
    } else if (name == "rule") {
      entry.set_rule_id(value);
    } else if (name == "reason") {
      entry.set_reason(value);
    } else if (name == "at") {
      *entry.mutable_create_time() =
          TimeUtil::MillisecondsToTimestamp(ParseInteger(value));
    }
  }
  return entry;
}

}  // namespace

AccountStore::AccountStore(RedisClient* redis, KeySchema keys,
                           const CalendarSource* calendar, Clock clock)
    : redis_(redis),
      keys_(std::move(keys)),
      calendar_(calendar),
      clock_(std::move(clock)) {}

absl::StatusOr<v1::Balance> AccountStore::GetBalance(
    const std::string& user_id) {
  absl::StatusOr<RedisValue> reply =
      redis_->Run({"HMGET", keys_.Account(user_id), "balance", "earned"});
  if (!reply.ok()) return reply.status();
  v1::Balance balance;
  balance.set_user_id(user_id);
  balance.set_balance(ParseInteger(reply->elements.at(0).str));
  balance.set_lifetime_earned(ParseInteger(reply->elements.at(1).str));
  return balance;
}

absl::StatusOr<LedgerPage> AccountStore::ListLedger(
    const std::string& user_id, const std::string& before_entry_id, int limit) {
  // One more than asked tells whether another page exists.
  absl::StatusOr<RedisValue> reply = redis_->Run(
      {"XREVRANGE", keys_.Ledger(user_id),
       before_entry_id.empty() ? "+" : absl::StrCat("(", before_entry_id), "-",
       "COUNT", absl::StrCat(limit + 1)});
  if (!reply.ok()) return reply.status();
  LedgerPage page;
  for (const RedisValue& item : reply->elements) {
    if (static_cast<int>(page.entries.size()) == limit) {
      page.last_entry_id = page.entries.back().entry_id();
      break;
    }
    page.entries.push_back(ParseLedgerEntry(item));
  }
  return page;
}

absl::StatusOr<v1::AdjustBalanceResponse> AccountStore::Adjust(
    const Adjustment& a) {
  const std::string fingerprint =
      absl::StrCat(a.user_id, "\n", a.delta, "\n", a.reason, "\n", a.manager);
  const absl::Time now = clock_();
  ScriptCall call{&AdjustScript(),
                  {keys_.Adjustment(a.request_id)},
                  {keys_.prefix(), a.user_id, absl::StrCat(a.delta), a.reason,
                   absl::StrCat(absl::ToUnixMillis(now)), a.request_id,
                   fingerprint, a.manager}};
  AppendBucketArgs(calendar_->Calendar()->BucketsAt(now, now), &call.args);
  absl::StatusOr<RedisValue> reply = RunScript(*redis_, call);
  if (!reply.ok()) return reply.status();
  const auto& fields = reply->elements;
  const std::string& status = fields.at(0).str;
  if (status == "MISMATCH") {
    return WithReason(absl::AlreadyExistsError(absl::StrCat(
                          "request_id ", a.request_id,
                          " was already used for a different adjustment")),
                      "ID_REUSED", {{"field", "request_id"}});
  }
  if (status == "INSUFFICIENT") {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "balance of ", a.user_id, " is ", fields.at(1).str,
            "; a deduction of ", -a.delta, " would take it below zero")),
        "INSUFFICIENT_BALANCE");
  }
  if (status == "DEACTIVATED") return UserDeactivated(a.user_id);
  if (status == "NOT_MANAGER") return NotManager(a.manager, a.user_id);
  v1::AdjustBalanceResponse response;
  v1::LedgerEntry* entry = response.mutable_entry();
  entry->set_entry_id(fields.at(1).str);
  entry->set_type(v1::LedgerEntry::ADJUST);
  entry->set_delta(ParseInteger(fields.at(2).str));
  entry->set_balance_after(ParseInteger(fields.at(3).str));
  *entry->mutable_create_time() =
      TimeUtil::MillisecondsToTimestamp(ParseInteger(fields.at(4).str));
  entry->set_reason(fields.at(5).str);
  entry->set_reference(absl::StrCat("adjust:", a.request_id));
  v1::Balance* balance = response.mutable_balance();
  balance->set_user_id(a.user_id);
  balance->set_balance(ParseInteger(fields.at(6).str));
  balance->set_lifetime_earned(ParseInteger(fields.at(7).str));
  response.set_duplicate(status == "DUP");
  return response;
}

}  // namespace plaudit
