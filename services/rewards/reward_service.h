// RewardService: HR's catalog and employees' redemptions (thin adapter).
#ifndef PLAUDIT_SERVICES_REWARDS_REWARD_SERVICE_H_
#define PLAUDIT_SERVICES_REWARDS_REWARD_SERVICE_H_

#include "plaudit/v1/reward_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/metrics/metrics.h"
#include "services/rewards/catalog_store.h"
#include "services/rewards/redemption_store.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

class RewardService final : public RpcService {
 public:
  RewardService(ForTenant<CatalogStore> catalogs,
                ForTenant<RedemptionStore> redemptions, CallGate gate,
                AuditLog* audit, Metrics* metrics);

  absl::Status CreateReward(const Caller& caller,
                            const v1::CreateRewardRequest& request,
                            v1::CreateRewardResponse* response);
  absl::Status GetReward(const Caller& caller,
                         const v1::GetRewardRequest& request,
                         v1::GetRewardResponse* response);
  absl::Status ListRewards(const Caller& caller,
                           const v1::ListRewardsRequest& request,
                           v1::ListRewardsResponse* response);
  absl::Status UpdateReward(const Caller& caller,
                            const v1::UpdateRewardRequest& request,
                            v1::UpdateRewardResponse* response);
  absl::Status ArchiveReward(const Caller& caller,
                             const v1::ArchiveRewardRequest& request,
                             v1::ArchiveRewardResponse* response);
  absl::Status Redeem(const Caller& caller, const v1::RedeemRequest& request,
                      v1::RedeemResponse* response);
  absl::Status GetRedemption(const Caller& caller,
                             const v1::GetRedemptionRequest& request,
                             v1::GetRedemptionResponse* response);
  absl::Status ListRedemptions(const Caller& caller,
                               const v1::ListRedemptionsRequest& request,
                               v1::ListRedemptionsResponse* response);
  absl::Status ApproveRedemption(const Caller& caller,
                                 const v1::ApproveRedemptionRequest& request,
                                 v1::ApproveRedemptionResponse* response);
  absl::Status RejectRedemption(const Caller& caller,
                                const v1::RejectRedemptionRequest& request,
                                v1::RejectRedemptionResponse* response);
  absl::Status FulfillRedemption(const Caller& caller,
                                 const v1::FulfillRedemptionRequest& request,
                                 v1::FulfillRedemptionResponse* response);
  absl::Status CancelRedemption(const Caller& caller,
                                const v1::CancelRedemptionRequest& request,
                                v1::CancelRedemptionResponse* response);

 private:
  // Validates the id and applies `action`, filling `*out`.
  absl::Status Transition(const Caller& caller, RedemptionStore& store,
                          const std::string& redemption_id,
                          RedemptionAction action, const std::string& reason,
                          const std::string& user_id, v1::Redemption* out);

  ForTenant<CatalogStore> catalogs_;
  ForTenant<RedemptionStore> redemptions_;
  AuditLog* audit_;
  Metrics* metrics_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_REWARDS_REWARD_SERVICE_H_
