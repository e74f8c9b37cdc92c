#include "services/rewards/redemption_store.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "plaudit/v1/leaderboard_service.pb.h"
#include "services/common/error_reason.h"
#include "services/common/period.h"
#include "services/store/bucket_args.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"
#include "services/users/user_errors.h"

namespace plaudit {
namespace {

using google::protobuf::util::TimeUtil;

// The refusal of the redeem script as the message the employee reads.
absl::Status Refusal(const std::string& reason, const std::string& detail,
                     const v1::RedeemRequest& request) {
  const std::string& reward = request.reward_id();
  auto refused = [](absl::string_view reason, std::string message) {
    return WithReason(absl::FailedPreconditionError(message), reason);
  };
  if (reason == "deactivated") {
    return refused("USER_DEACTIVATED",
                   absl::StrCat("user ", request.user_id(),
                                " is deactivated: reactivate them first"));
  }
  if (reason == "archived") {
    return refused("REWARD_ARCHIVED",
                   absl::StrCat("reward ", reward, " is archived"));
  }
  if (reason == "inactive") {
    return refused("REWARD_INACTIVE",
                   absl::StrCat("reward ", reward, " is not active"));
  }
  if (reason == "group") {
    return refused(
        "NOT_IN_GROUP",
        absl::StrCat("reward ", reward, " is only for members of ", detail));
  }
  if (reason == "stock") {
    return refused("OUT_OF_STOCK",
                   absl::StrCat("reward ", reward, " is out of stock: ", detail,
                                " left, ", request.quantity(), " asked"));
  }
  if (reason == "limit") {
    return refused(
        "LIMIT_REACHED",
        absl::StrCat("per-user limit of reward ", reward, " reached: ", detail,
                     " more allowed in this period"));
  }
  return refused("INSUFFICIENT_BALANCE",
                 absl::StrCat("insufficient balance: ", request.user_id(),
                              " has ", detail, " points"));
}

v1::Redemption FromHash(const std::string& id,
                        const std::vector<RedisValue>& pairs) {
  std::map<std::string, std::string> f;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2)
    f[pairs[i].str] = pairs[i + 1].str;
  v1::Redemption r;
  r.set_redemption_id(id);
  r.set_user_id(f["user"]);
  r.set_reward_id(f["reward"]);
  r.set_reward_title(f["title"]);
  r.set_quantity(static_cast<int32_t>(ParseInteger(f["quantity"])));
  r.set_points(ParseInteger(f["points"]));
  v1::Redemption::Status status;
  r.set_status(v1::Redemption::Status_Parse(f["status"], &status)
                   ? status
                   : v1::Redemption::STATUS_UNSPECIFIED);
  r.set_request_id(f["request_id"]);
  r.set_reason(f["reason"]);
  *r.mutable_create_time() =
      TimeUtil::MillisecondsToTimestamp(ParseInteger(f["created"]));
  *r.mutable_update_time() =
      TimeUtil::MillisecondsToTimestamp(ParseInteger(f["updated"]));
  return r;
}

}  // namespace

absl::StatusOr<v1::RedeemResponse> RedemptionStore::Redeem(
    const v1::RedeemRequest& request) {
  const absl::Time now = clock_();
  ScriptCall call{
      &RedeemScript(),
      {keys_.RedeemRequest(request.request_id()),
       keys_.Reward(request.reward_id()), keys_.Account(request.user_id())},
      {keys_.prefix(), request.user_id(), request.reward_id(),
       absl::StrCat(request.quantity()), absl::StrCat(absl::ToUnixMillis(now)),
       absl::StrCat(request.user_id(), "\n", request.reward_id(), "\n",
                    request.quantity())}};
  const std::shared_ptr<const BoardCalendar> calendar = calendar_->Calendar();
  AppendBucketArgs(calendar->BucketsAt(now, now), &call.args);
  // Every period's current bucket: the script picks the reward's limit.
  const absl::TimeZone zone = calendar->zone();
  for (Period period : kAllPeriods) {
    const PeriodBucket bucket = BucketAt(period, now, zone);
    const absl::Time end = BucketEnd(bucket, zone);
    call.args.push_back(
        v1::Period_Name(static_cast<v1::Period>(static_cast<int>(period) + 1)));
    call.args.push_back(BucketKey(bucket));
    call.args.push_back(period == Period::kAllTime
                            ? "0"
                            : absl::StrCat(absl::ToInt64Milliseconds(
                                  end - now + absl::Hours(24))));
  }
  absl::StatusOr<RedisValue> reply = RunScript(*redis_, call);
  if (!reply.ok()) return reply.status();
  const auto& values = reply->elements;
  const std::string& status = values.at(0).str;
  if (status == "MISMATCH") {
    return WithReason(absl::AlreadyExistsError(absl::StrCat(
                          "request_id ", request.request_id(),
                          " was already used for a different redemption")),
                      "ID_REUSED", {{"field", "request_id"}});
  }
  if (status == "NOT_FOUND") {
    return WithReason(absl::NotFoundError(absl::StrCat(
                          "reward ", request.reward_id(), " not found")),
                      "REWARD_NOT_FOUND");
  }
  if (status == "REFUSED") {
    return Refusal(values.at(1).str, values.at(2).str, request);
  }
  absl::StatusOr<v1::Redemption> redemption = Get(values.at(1).str);
  if (!redemption.ok()) return redemption.status();
  v1::RedeemResponse response;
  *response.mutable_redemption() = *std::move(redemption);
  response.set_balance(ParseInteger(values.at(2).str));
  response.set_duplicate(status == "DUP");
  return response;
}

absl::StatusOr<v1::Redemption> RedemptionStore::Get(
    const std::string& redemption_id) {
  absl::StatusOr<RedisValue> reply =
      redis_->Run({"HGETALL", keys_.Redemption(redemption_id)});
  if (!reply.ok()) return reply.status();
  if (reply->elements.empty()) {
    return WithReason(absl::NotFoundError(absl::StrCat(
                          "redemption ", redemption_id, " not found")),
                      "REDEMPTION_NOT_FOUND");
  }
  return FromHash(redemption_id, reply->elements);
}

absl::StatusOr<RedemptionPage> RedemptionStore::List(
    const RedemptionFilter& filter, int64_t before, int limit) {
  const bool by_status = filter.status != v1::Redemption::STATUS_UNSPECIFIED;
  const std::string status = v1::Redemption::Status_Name(filter.status);
  // The narrowest index; with both filters, the user's, filtered here.
  const std::string index = !filter.user_id.empty()
                                ? keys_.RedemptionsOfUser(filter.user_id)
                            : by_status ? keys_.RedemptionsWithStatus(status)
                                        : keys_.RedemptionsAll();
  const bool filter_status = by_status && !filter.user_id.empty();
  RedemptionPage page;
  std::string upper = before > 0 ? absl::StrCat("(", before) : "+inf";
  for (;;) {
    absl::StatusOr<RedisValue> ids =
        redis_->Run({"ZREVRANGEBYSCORE", index, upper, "-inf", "LIMIT", "0",
                     absl::StrCat(limit + 1)});
    if (!ids.ok()) return ids.status();
    std::vector<RedisCommand> reads;
    for (const RedisValue& id : ids->elements) {
      reads.push_back({"HGETALL", keys_.Redemption(id.str)});
    }
    absl::StatusOr<std::vector<RedisValue>> hashes = redis_->RunPipeline(reads);
    if (!hashes.ok()) return hashes.status();
    for (size_t i = 0; i < hashes->size(); ++i) {
      if ((*hashes)[i].is_error()) return RedisErrorStatus((*hashes)[i].str);
      v1::Redemption r = FromHash(ids->elements[i].str, (*hashes)[i].elements);
      if (filter_status && r.status() != filter.status) continue;
      if (static_cast<int>(page.redemptions.size()) == limit) {
        page.last_sequence =
            ParseInteger(page.redemptions.back().redemption_id());
        return page;
      }
      page.redemptions.push_back(std::move(r));
    }
    if (static_cast<int>(ids->elements.size()) <= limit) return page;
    // Only reached when filtering by status over the user's index (without
    // it, the extra entry fetched ends the page above): look further back.
    upper = absl::StrCat("(", ids->elements.back().str);
  }
}

absl::StatusOr<v1::Redemption> RedemptionStore::Apply(
    const std::string& redemption_id, RedemptionAction action,
    const std::string& reason, const std::string& user_id,
    const std::string& manager) {
  static constexpr const char* kActions[] = {"approve", "reject", "fulfil",
                                             "cancel"};
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_,
      {&RedemptionTransitionScript(),
       {keys_.Redemption(redemption_id)},
       {keys_.prefix(), kActions[static_cast<int>(action)],
        absl::StrCat(absl::ToUnixMillis(clock_())), reason, user_id, manager}});
  if (!reply.ok()) return reply.status();
  const auto& values = reply->elements;
  const std::string& status = values.at(0).str;
  if (status == "NOT_FOUND") {
    return WithReason(absl::NotFoundError(absl::StrCat(
                          "redemption ", redemption_id, " not found")),
                      "REDEMPTION_NOT_FOUND");
  }
  if (status == "NOT_OWNER") {
    return WithReason(
        absl::PermissionDeniedError(absl::StrCat("redemption ", redemption_id,
                                                 " belongs to another user")),
        "NOT_OWNER");
  }
  if (status == "NOT_MANAGER") return NotManager(manager, values.at(1).str);
  if (status == "NOT_ALLOWED") {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "redemption ", redemption_id, " is ", values.at(1).str, ": cannot ",
            kActions[static_cast<int>(action)], " it")),
        "TRANSITION_NOT_ALLOWED");
  }
  return Get(redemption_id);
}

}  // namespace plaudit
