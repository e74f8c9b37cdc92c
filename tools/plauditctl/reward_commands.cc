#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plaudit/v1/reward_service.grpc.pb.h"
#include "services/common/change_plan.h"
#include "services/common/json_file.h"
#include "services/rewards/reward_validation.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

absl::Status RewardsApply(const Connection& c, const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<v1::RewardSet> wanted = ParseCatalogJson(*text);
  if (!wanted.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", wanted.status().message()));
  }
  using Stub = v1::RewardService::Stub;
  // Everything HR has, inactive and archived too, in one list.
  std::map<std::string, v1::Reward> current;
  v1::ListRewardsRequest list;
  list.set_include_inactive(true);
  list.set_page_size(1000);
  do {
    absl::StatusOr<v1::ListRewardsResponse> page =
        Call(c, &Stub::ListRewards, list);
    if (!page.ok()) return page.status();
    for (const auto& r : page->rewards()) current[r.reward_id()] = r;
    list.set_page_token(page->next_page_token());
  } while (!list.page_token().empty());

  std::vector<v1::Reward> existing;
  for (auto& [id, reward] : current) existing.push_back(std::move(reward));
  // A file's stock is the starting stock of a new reward: re-applying the
  // file must not refill what has been redeemed since. Archived rewards are
  // kept for history; HR archived them on purpose.
  const ChangePlan<v1::Reward> plan = PlanChanges<v1::Reward>(
      existing, wanted->rewards(),
      [](const v1::Reward& r) { return r.reward_id(); },
      [](const v1::Reward& now, const v1::Reward& file) {
        v1::Reward without_stock = file;
        without_stock.clear_stock();
        return RewardsDiffer(now, without_stock);
      },
      [](const v1::Reward& now) { return now.archived(); });
  for (const v1::Reward& reward : plan.create) {
    v1::CreateRewardRequest request;
    *request.mutable_reward() = reward;
    auto created = Call(c, &Stub::CreateReward, request);
    if (!created.ok()) {
      return Naming("reward " + reward.reward_id(), created.status());
    }
  }
  for (const v1::Reward& reward : plan.update) {
    v1::UpdateRewardRequest request;  // no mask, no stock: all but stock
    *request.mutable_reward() = reward;
    request.mutable_reward()->clear_stock();
    auto updated = Call(c, &Stub::UpdateReward, request);
    if (!updated.ok()) {
      return Naming("reward " + reward.reward_id(), updated.status());
    }
  }
  *c.out << absl::StrFormat(
      "rewards: %d created, %d updated, %d unchanged%s\n", plan.create.size(),
      plan.update.size(), plan.unchanged,
      plan.left_alone
          ? absl::StrCat(", ", plan.left_alone, " archived left alone")
          : "");
  return absl::OkStatus();
}

absl::Status RewardsList(const Connection& c, bool include_inactive) {
  v1::ListRewardsRequest request;
  request.set_include_inactive(include_inactive);
  request.set_page_size(1000);
  do {
    absl::StatusOr<v1::ListRewardsResponse> response =
        Call(c, &v1::RewardService::Stub::ListRewards, request);
    if (!response.ok()) return response.status();
    for (const auto& r : response->rewards()) {
      *c.out << absl::StrFormat(
          "%-20s %7d pts  stock %-9s %s%s%s\n", r.reward_id(), r.cost(),
          r.has_stock() ? absl::StrCat(r.stock()) : "unlimited", r.title(),
          r.requires_approval() ? "  [approval]" : "",
          r.archived() ? "  [archived]" : (r.active() ? "" : "  [inactive]"));
    }
    request.set_page_token(response->next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

namespace {

void PrintRedemption(std::ostream& out, const v1::Redemption& r) {
  out << absl::StrFormat(
      "%6s  %-9s %-12s %-20s x%d  %6d pts  %s%s\n", r.redemption_id(),
      v1::Redemption::Status_Name(r.status()), r.user_id(), r.reward_id(),
      r.quantity(), r.points(), FormatTime(r.create_time()),
      r.reason().empty() ? "" : "  \"" + r.reason() + "\"");
}

// A move of a redemption: the call, then the redemption as it is now.
template <class Stub, class Request, class Response>
absl::StatusOr<v1::Redemption> Moved(
    const Connection& c,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request) {
  absl::StatusOr<Response> response = Call(c, method, request);
  if (!response.ok()) return response.status();
  return response->redemption();
}

}  // namespace

absl::Status RedeemReward(const Connection& c,
                          const v1::RedeemRequest& request) {
  absl::StatusOr<v1::RedeemResponse> response =
      Call(c, &v1::RewardService::Stub::Redeem, request);
  if (!response.ok()) return response.status();
  PrintRedemption(*c.out, response->redemption());
  *c.out << request.user_id() << ": balance now " << response->balance()
         << "\n";
  return absl::OkStatus();
}

absl::Status RedemptionsList(const Connection& c, const std::string& user_id,
                             const std::string& status) {
  v1::ListRedemptionsRequest request;
  request.set_user_id(user_id);
  if (!status.empty()) {
    v1::Redemption::Status parsed;
    if (!v1::Redemption::Status_Parse(absl::AsciiStrToUpper(status), &parsed)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "status: expected pending, approved, fulfilled, rejected or "
          "cancelled, got ",
          status));
    }
    request.set_status(parsed);
  }
  request.set_page_size(1000);
  int shown = 0;
  do {
    absl::StatusOr<v1::ListRedemptionsResponse> response =
        Call(c, &v1::RewardService::Stub::ListRedemptions, request);
    if (!response.ok()) return response.status();
    for (const auto& r : response->redemptions()) {
      PrintRedemption(*c.out, r);
      ++shown;
    }
    request.set_page_token(response->next_page_token());
  } while (!request.page_token().empty());
  if (shown == 0) *c.out << "no redemptions\n";
  return absl::OkStatus();
}

absl::Status MoveRedemption(const Connection& c, const std::string& action,
                            const std::string& redemption_id,
                            const std::string& reason,
                            const std::string& user_id) {
  using Stub = v1::RewardService::Stub;
  absl::StatusOr<v1::Redemption> moved;
  if (action == "approve") {
    v1::ApproveRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    moved = Moved(c, &Stub::ApproveRedemption, request);
  } else if (action == "reject") {
    v1::RejectRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    request.set_reason(reason);
    moved = Moved(c, &Stub::RejectRedemption, request);
  } else if (action == "fulfil") {
    v1::FulfillRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    moved = Moved(c, &Stub::FulfillRedemption, request);
  } else {
    v1::CancelRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    request.set_user_id(user_id);
    moved = Moved(c, &Stub::CancelRedemption, request);
  }
  if (!moved.ok()) return moved.status();
  PrintRedemption(*c.out, *moved);
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
