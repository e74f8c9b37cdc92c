#include "services/rewards/reward_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/paging.h"
#include "services/common/update_mask.h"
#include "services/common/validation.h"
#include "services/rewards/reward_validation.h"

namespace plaudit {
namespace {

constexpr char kRewardsToken[] = "rewards";
constexpr char kRedemptionsToken[] = "redemptions";

absl::Status ValidateRedemptionId(const std::string& id) {
  int64_t sequence = 0;
  if (!absl::SimpleAtoi(id, &sequence) || sequence <= 0) {
    return InvalidField("redemption_id", "must be a redemption id (a number)");
  }
  return absl::OkStatus();
}

}  // namespace

RewardService::RewardService(ForTenant<CatalogStore> catalogs,
                             ForTenant<RedemptionStore> redemptions,
                             CallGate gate, AuditLog* audit, Metrics* metrics)
    : RpcService(v1::RewardService::service_full_name(), gate),
      catalogs_(std::move(catalogs)),
      redemptions_(std::move(redemptions)),
      audit_(audit),
      metrics_(metrics) {
  Handle("CreateReward", &RewardService::CreateReward);
  Handle("GetReward", &RewardService::GetReward);
  Handle("ListRewards", &RewardService::ListRewards);
  Handle("UpdateReward", &RewardService::UpdateReward);
  Handle("ArchiveReward", &RewardService::ArchiveReward);
  Handle("Redeem", &RewardService::Redeem);
  Handle("GetRedemption", &RewardService::GetRedemption);
  Handle("ListRedemptions", &RewardService::ListRedemptions);
  Handle("ApproveRedemption", &RewardService::ApproveRedemption);
  Handle("RejectRedemption", &RewardService::RejectRedemption);
  Handle("FulfillRedemption", &RewardService::FulfillRedemption);
  Handle("CancelRedemption", &RewardService::CancelRedemption);
}

absl::Status RewardService::CreateReward(const Caller& caller,
                                         const v1::CreateRewardRequest& request,
                                         v1::CreateRewardResponse* response) {
  if (auto s = ValidateReward(request.reward(), "reward"); !s.ok()) return s;
  absl::StatusOr<v1::Reward> reward =
      catalogs_(caller.tenant).Create(request.reward());
  if (!reward.ok()) return reward.status();
  audit_->Record(caller, "REWARD_CREATED", reward->reward_id(), nullptr,
                 &*reward);
  *response->mutable_reward() = *std::move(reward);
  return absl::OkStatus();
}

absl::Status RewardService::GetReward(const Caller& caller,
                                      const v1::GetRewardRequest& request,
                                      v1::GetRewardResponse* response) {
  if (auto s = ValidateSlug("reward_id", request.reward_id()); !s.ok())
    return s;
  absl::StatusOr<v1::Reward> reward =
      catalogs_(caller.tenant).Get(request.reward_id());
  if (!reward.ok()) return reward.status();
  *response->mutable_reward() = *std::move(reward);
  return absl::OkStatus();
}

absl::Status RewardService::ListRewards(const Caller& caller,
                                        const v1::ListRewardsRequest& request,
                                        v1::ListRewardsResponse* response) {
  absl::StatusOr<PageRequest> page = ReadPageRequest(kRewardsToken, request);
  if (!page.ok()) return page.status();
  absl::StatusOr<std::vector<v1::Reward>> rewards =
      catalogs_(caller.tenant).List();  // sorted by reward_id
  if (!rewards.ok()) return rewards.status();
  const std::string last = TakePage(
      *std::move(rewards), *page,
      [](const v1::Reward& r) -> const std::string& { return r.reward_id(); },
      [&request](const v1::Reward& r) {
        return request.include_inactive() || (r.active() && !r.archived());
      },
      response->mutable_rewards());
  response->set_next_page_token(NextPageToken(kRewardsToken, last));
  return absl::OkStatus();
}

absl::Status RewardService::UpdateReward(const Caller& caller,
                                         const v1::UpdateRewardRequest& request,
                                         v1::UpdateRewardResponse* response) {
  if (auto s = ValidateSlug("reward.reward_id", request.reward().reward_id());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateUpdateMask<v1::Reward>(
          request.update_mask(), {"reward_id", "archived", "update_time"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<RewardChange> change =
      catalogs_(caller.tenant)
          .Update(request.reward(), request.update_mask(),
                  [](const v1::Reward& merged) {
                    return ValidateReward(merged, "reward");
                  });
  if (!change.ok()) return change.status();
  audit_->Record(caller, "REWARD_UPDATED", change->after.reward_id(),
                 &change->before, &change->after);
  *response->mutable_reward() = std::move(change->after);
  return absl::OkStatus();
}

absl::Status RewardService::ArchiveReward(
    const Caller& caller, const v1::ArchiveRewardRequest& request,
    v1::ArchiveRewardResponse* response) {
  if (auto s = ValidateSlug("reward_id", request.reward_id()); !s.ok())
    return s;
  absl::StatusOr<v1::Reward> reward =
      catalogs_(caller.tenant).Archive(request.reward_id());
  if (!reward.ok()) return reward.status();
  audit_->Record(caller, "REWARD_ARCHIVED", reward->reward_id(), nullptr,
                 &*reward);
  *response->mutable_reward() = *std::move(reward);
  return absl::OkStatus();
}

absl::Status RewardService::Redeem(const Caller& caller,
                                   const v1::RedeemRequest& request,
                                   v1::RedeemResponse* response) {
  if (auto s = ValidateRedeem(request); !s.ok()) return s;
  absl::StatusOr<v1::RedeemResponse> result =
      redemptions_(caller.tenant).Redeem(request);
  if (!result.ok()) return result.status();
  if (!result->duplicate()) {
    metrics_->RedemptionEntered(
        v1::Redemption::Status_Name(result->redemption().status()));
    metrics_->PointsRedeemed(result->redemption().points());
  }
  *response = *std::move(result);
  return absl::OkStatus();
}

absl::Status RewardService::GetRedemption(
    const Caller& caller, const v1::GetRedemptionRequest& request,
    v1::GetRedemptionResponse* response) {
  if (auto s = ValidateRedemptionId(request.redemption_id()); !s.ok()) return s;
  absl::StatusOr<v1::Redemption> redemption =
      redemptions_(caller.tenant).Get(request.redemption_id());
  if (!redemption.ok()) return redemption.status();
  *response->mutable_redemption() = *std::move(redemption);
  return absl::OkStatus();
}

absl::Status RewardService::ListRedemptions(
    const Caller& caller, const v1::ListRedemptionsRequest& request,
    v1::ListRedemptionsResponse* response) {
  if (auto s = ValidateOptionalId("user_id", request.user_id()); !s.ok())
    return s;
  if (!v1::Redemption::Status_IsValid(request.status())) {
    return InvalidField("status", "is not a redemption status");
  }
  absl::StatusOr<PageRequest> asked =
      ReadPageRequest(kRedemptionsToken, request);
  if (!asked.ok()) return asked.status();
  absl::StatusOr<int64_t> before = NumericCursor(*asked, 1);
  if (!before.ok()) return before.status();
  absl::StatusOr<RedemptionPage> page =
      redemptions_(caller.tenant)
          .List({request.user_id(), request.status()}, *before, asked->size);
  if (!page.ok()) return page.status();
  for (auto& r : page->redemptions) *response->add_redemptions() = std::move(r);
  if (page->last_sequence > 0) {
    response->set_next_page_token(
        NextPageToken(kRedemptionsToken, absl::StrCat(page->last_sequence)));
  }
  return absl::OkStatus();
}

absl::Status RewardService::Transition(const Caller& caller,
                                       RedemptionStore& store,
                                       const std::string& redemption_id,
                                       RedemptionAction action,
                                       const std::string& reason,
                                       const std::string& user_id,
                                       v1::Redemption* out) {
  if (auto s = ValidateRedemptionId(redemption_id); !s.ok()) return s;
  absl::StatusOr<v1::Redemption> redemption =
      store.Apply(redemption_id, action, reason, user_id,
                  caller.as_manager ? caller.actor : "");
  if (!redemption.ok()) return redemption.status();
  metrics_->RedemptionEntered(
      v1::Redemption::Status_Name(redemption->status()));
  if (action != RedemptionAction::kCancel) {  // cancels are the employee's
    audit_->Record(caller,
                   absl::StrCat("REDEMPTION_", v1::Redemption::Status_Name(
                                                   redemption->status())),
                   redemption_id, nullptr, &*redemption);
  }
  *out = *std::move(redemption);
  return absl::OkStatus();
}

absl::Status RewardService::ApproveRedemption(
    const Caller& caller, const v1::ApproveRedemptionRequest& request,
    v1::ApproveRedemptionResponse* response) {
  return Transition(caller, redemptions_(caller.tenant),
                    request.redemption_id(), RedemptionAction::kApprove, "", "",
                    response->mutable_redemption());
}

absl::Status RewardService::RejectRedemption(
    const Caller& caller, const v1::RejectRedemptionRequest& request,
    v1::RejectRedemptionResponse* response) {
  if (request.reason().empty()) {
    return InvalidField("reason", "is required");
  }
  if (auto s = ValidateText("reason", request.reason(), 512); !s.ok()) return s;
  return Transition(caller, redemptions_(caller.tenant),
                    request.redemption_id(), RedemptionAction::kReject,
                    request.reason(), "", response->mutable_redemption());
}

absl::Status RewardService::FulfillRedemption(
    const Caller& caller, const v1::FulfillRedemptionRequest& request,
    v1::FulfillRedemptionResponse* response) {
  return Transition(caller, redemptions_(caller.tenant),
                    request.redemption_id(), RedemptionAction::kFulfil, "", "",
                    response->mutable_redemption());
}

absl::Status RewardService::CancelRedemption(
    const Caller& caller, const v1::CancelRedemptionRequest& request,
    v1::CancelRedemptionResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  return Transition(caller, redemptions_(caller.tenant),
                    request.redemption_id(), RedemptionAction::kCancel,
                    "cancelled by the employee", request.user_id(),
                    response->mutable_redemption());
}

}  // namespace plaudit
