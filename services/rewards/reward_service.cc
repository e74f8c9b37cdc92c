#include "services/rewards/reward_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"
#include "services/rewards/reward_validation.h"

namespace plaudit {
namespace {

constexpr char kRewardsToken[] = "rewards";
constexpr char kRedemptionsToken[] = "redemptions";

absl::Status ValidateMask(const google::protobuf::FieldMask& mask) {
  for (const std::string& path : mask.paths()) {
    if (path == "reward_id" || path == "archived" || path == "update_time") {
      return InvalidField("update_mask", absl::StrCat(path, " cannot be changed"));
    }
    google::protobuf::FieldMask single;
    single.add_paths(path);
    if (!google::protobuf::util::FieldMaskUtil::IsValidFieldMask<v1::Reward>(
            single)) {
      return InvalidField("update_mask",
                          absl::StrCat("unknown Reward field \"", path, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRedemptionId(const std::string& id) {
  int64_t sequence = 0;
  if (!absl::SimpleAtoi(id, &sequence) || sequence <= 0) {
    return InvalidField("redemption_id", "must be a redemption id (a number)");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status RewardService::CreateReward(grpc::ServerContext* context,
                                         const v1::CreateRewardRequest* request,
                                         v1::CreateRewardResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/CreateReward");
  if (auto s = ValidateReward(request->reward(), "reward"); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::Reward> reward = catalogs_(caller.tenant).Create(request->reward());
  if (!reward.ok()) return ToGrpcStatus(reward.status());
  audit_->Record(caller, "REWARD_CREATED", reward->reward_id(), nullptr, &*reward);
  *response->mutable_reward() = *std::move(reward);
  return grpc::Status::OK;
}

grpc::Status RewardService::GetReward(grpc::ServerContext* context,
                                      const v1::GetRewardRequest* request,
                                      v1::GetRewardResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/GetReward");
  if (auto s = ValidateSlug("reward_id", request->reward_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::Reward> reward = catalogs_(caller.tenant).Get(request->reward_id());
  if (!reward.ok()) return ToGrpcStatus(reward.status());
  *response->mutable_reward() = *std::move(reward);
  return grpc::Status::OK;
}

grpc::Status RewardService::ListRewards(grpc::ServerContext* context,
                                        const v1::ListRewardsRequest* request,
                                        v1::ListRewardsResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/ListRewards");
  absl::StatusOr<int32_t> page_size =
      ResolvePageSize("page_size", request->page_size());
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  std::string after;
  if (!request->page_token().empty()) {
    absl::StatusOr<std::string> cursor =
        DecodePageToken(kRewardsToken, request->page_token());
    if (!cursor.ok()) return ToGrpcStatus(cursor.status());
    after = *cursor;
  }
  absl::StatusOr<std::vector<v1::Reward>> rewards = catalogs_(caller.tenant).List();
  if (!rewards.ok()) return ToGrpcStatus(rewards.status());
  for (auto& reward : *rewards) {
    if (reward.reward_id() <= after) continue;
    if (!request->include_inactive() && (!reward.active() || reward.archived())) {
      continue;
    }
    if (response->rewards_size() == *page_size) {
      response->set_next_page_token(EncodePageToken(
          kRewardsToken, response->rewards().rbegin()->reward_id()));
      break;
    }
    *response->add_rewards() = std::move(reward);
  }
  return grpc::Status::OK;
}

grpc::Status RewardService::UpdateReward(grpc::ServerContext* context,
                                         const v1::UpdateRewardRequest* request,
                                         v1::UpdateRewardResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/UpdateReward");
  if (auto s = ValidateSlug("reward.reward_id", request->reward().reward_id());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (auto s = ValidateMask(request->update_mask()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<RewardChange> change = catalogs_(caller.tenant).Update(
      request->reward(), request->update_mask(),
      [](const v1::Reward& merged) { return ValidateReward(merged, "reward"); });
  if (!change.ok()) return ToGrpcStatus(change.status());
  audit_->Record(caller, "REWARD_UPDATED", change->after.reward_id(),
                 &change->before, &change->after);
  *response->mutable_reward() = std::move(change->after);
  return grpc::Status::OK;
}

grpc::Status RewardService::ArchiveReward(grpc::ServerContext* context,
                                          const v1::ArchiveRewardRequest* request,
                                          v1::ArchiveRewardResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/ArchiveReward");
  if (auto s = ValidateSlug("reward_id", request->reward_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::Reward> reward = catalogs_(caller.tenant).Archive(request->reward_id());
  if (!reward.ok()) return ToGrpcStatus(reward.status());
  audit_->Record(caller, "REWARD_ARCHIVED", reward->reward_id(), nullptr, &*reward);
  *response->mutable_reward() = *std::move(reward);
  return grpc::Status::OK;
}

grpc::Status RewardService::Redeem(grpc::ServerContext* context,
                                   const v1::RedeemRequest* request,
                                   v1::RedeemResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/Redeem");
  if (auto s = ValidateRedeem(*request); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<v1::RedeemResponse> result = redemptions_(caller.tenant).Redeem(*request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  if (!result->duplicate()) {
    metrics_->RedemptionEntered(
        v1::Redemption::Status_Name(result->redemption().status()));
    metrics_->PointsRedeemed(result->redemption().points());
  }
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status RewardService::GetRedemption(
    grpc::ServerContext* context, const v1::GetRedemptionRequest* request,
    v1::GetRedemptionResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/GetRedemption");
  if (auto s = ValidateRedemptionId(request->redemption_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::Redemption> redemption =
      redemptions_(caller.tenant).Get(request->redemption_id());
  if (!redemption.ok()) return ToGrpcStatus(redemption.status());
  *response->mutable_redemption() = *std::move(redemption);
  return grpc::Status::OK;
}

grpc::Status RewardService::ListRedemptions(
    grpc::ServerContext* context, const v1::ListRedemptionsRequest* request,
    v1::ListRedemptionsResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/ListRedemptions");
  if (auto s = ValidateOptionalId("user_id", request->user_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (!v1::Redemption::Status_IsValid(request->status())) {
    return ToGrpcStatus(InvalidField("status", "is not a redemption status"));
  }
  absl::StatusOr<int32_t> page_size =
      ResolvePageSize("page_size", request->page_size());
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  int64_t before = 0;
  if (!request->page_token().empty()) {
    absl::StatusOr<std::string> cursor =
        DecodePageToken(kRedemptionsToken, request->page_token());
    if (!cursor.ok()) return ToGrpcStatus(cursor.status());
    if (!absl::SimpleAtoi(*cursor, &before) || before <= 0) {
      return ToGrpcStatus(InvalidField("page_token", "is malformed"));
    }
  }
  absl::StatusOr<RedemptionPage> page = redemptions_(caller.tenant).List(
      {request->user_id(), request->status()}, before, *page_size);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& r : page->redemptions) *response->add_redemptions() = std::move(r);
  if (page->last_sequence > 0) {
    response->set_next_page_token(
        EncodePageToken(kRedemptionsToken, absl::StrCat(page->last_sequence)));
  }
  return grpc::Status::OK;
}

grpc::Status RewardService::Transition(const Caller& caller,
                                       RedemptionStore& store,
                                       const std::string& redemption_id,
                                       RedemptionAction action,
                                       const std::string& reason,
                                       const std::string& user_id,
                                       v1::Redemption* out) {
  if (auto s = ValidateRedemptionId(redemption_id); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::Redemption> redemption =
      store.Apply(redemption_id, action, reason, user_id);
  if (!redemption.ok()) return ToGrpcStatus(redemption.status());
  metrics_->RedemptionEntered(v1::Redemption::Status_Name(redemption->status()));
  if (action != RedemptionAction::kCancel) {  // cancels are the employee's
    audit_->Record(caller,
                   absl::StrCat("REDEMPTION_",
                                v1::Redemption::Status_Name(redemption->status())),
                   redemption_id, nullptr, &*redemption);
  }
  *out = *std::move(redemption);
  return grpc::Status::OK;
}

grpc::Status RewardService::ApproveRedemption(
    grpc::ServerContext* context, const v1::ApproveRedemptionRequest* request,
    v1::ApproveRedemptionResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/ApproveRedemption");
  return Transition(caller, redemptions_(caller.tenant), request->redemption_id(), RedemptionAction::kApprove, "",
                    "", response->mutable_redemption());
}

grpc::Status RewardService::RejectRedemption(
    grpc::ServerContext* context, const v1::RejectRedemptionRequest* request,
    v1::RejectRedemptionResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/RejectRedemption");
  if (request->reason().empty()) {
    return ToGrpcStatus(InvalidField("reason", "is required"));
  }
  if (auto s = ValidateText("reason", request->reason(), 512); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Transition(caller, redemptions_(caller.tenant), request->redemption_id(), RedemptionAction::kReject,
                    request->reason(), "", response->mutable_redemption());
}

grpc::Status RewardService::FulfillRedemption(
    grpc::ServerContext* context, const v1::FulfillRedemptionRequest* request,
    v1::FulfillRedemptionResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/FulfillRedemption");
  return Transition(caller, redemptions_(caller.tenant), request->redemption_id(), RedemptionAction::kFulfil, "",
                    "", response->mutable_redemption());
}

grpc::Status RewardService::CancelRedemption(
    grpc::ServerContext* context, const v1::CancelRedemptionRequest* request,
    v1::CancelRedemptionResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "RewardService/CancelRedemption");
  if (auto s = ValidateId("user_id", request->user_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return Transition(caller, redemptions_(caller.tenant), request->redemption_id(), RedemptionAction::kCancel,
                    "cancelled by the employee", request->user_id(),
                    response->mutable_redemption());
}

}  // namespace plaudit
