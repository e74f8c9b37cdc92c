// RewardService: HR's catalog and employees' redemptions (thin adapter).
#ifndef PLAUDIT_SERVICES_REWARDS_REWARD_SERVICE_H_
#define PLAUDIT_SERVICES_REWARDS_REWARD_SERVICE_H_

#include "services/common/call_guard.h"
#include "plaudit/v1/reward_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/metrics/metrics.h"
#include "services/rewards/catalog_store.h"
#include "services/rewards/redemption_store.h"

namespace plaudit {

class RewardService final : public v1::RewardService::Service {
 public:
  RewardService(ForTenant<CatalogStore> catalogs,
                ForTenant<RedemptionStore> redemptions, const CallGuard* guard,
                AuditLog* audit, Metrics* metrics)
      : catalogs_(std::move(catalogs)),
        redemptions_(std::move(redemptions)),
        guard_(guard),
        audit_(audit),
        metrics_(metrics) {}

  grpc::Status CreateReward(grpc::ServerContext* context, const v1::CreateRewardRequest*,
                            v1::CreateRewardResponse*) override;
  grpc::Status GetReward(grpc::ServerContext* context, const v1::GetRewardRequest*,
                         v1::GetRewardResponse*) override;
  grpc::Status ListRewards(grpc::ServerContext* context, const v1::ListRewardsRequest*,
                           v1::ListRewardsResponse*) override;
  grpc::Status UpdateReward(grpc::ServerContext* context, const v1::UpdateRewardRequest*,
                            v1::UpdateRewardResponse*) override;
  grpc::Status ArchiveReward(grpc::ServerContext* context,
                             const v1::ArchiveRewardRequest*,
                             v1::ArchiveRewardResponse*) override;
  grpc::Status Redeem(grpc::ServerContext* context, const v1::RedeemRequest*,
                      v1::RedeemResponse*) override;
  grpc::Status GetRedemption(grpc::ServerContext* context,
                             const v1::GetRedemptionRequest*,
                             v1::GetRedemptionResponse*) override;
  grpc::Status ListRedemptions(grpc::ServerContext* context,
                               const v1::ListRedemptionsRequest*,
                               v1::ListRedemptionsResponse*) override;
  grpc::Status ApproveRedemption(grpc::ServerContext* context,
                                 const v1::ApproveRedemptionRequest*,
                                 v1::ApproveRedemptionResponse*) override;
  grpc::Status RejectRedemption(grpc::ServerContext* context,
                                const v1::RejectRedemptionRequest*,
                                v1::RejectRedemptionResponse*) override;
  grpc::Status FulfillRedemption(grpc::ServerContext* context,
                                 const v1::FulfillRedemptionRequest*,
                                 v1::FulfillRedemptionResponse*) override;
  grpc::Status CancelRedemption(grpc::ServerContext* context,
                                const v1::CancelRedemptionRequest*,
                                v1::CancelRedemptionResponse*) override;

 private:
  // Validates the id and applies `action`, filling `*out`.
  grpc::Status Transition(const Caller& caller, RedemptionStore& store,
                          const std::string& redemption_id,
                          RedemptionAction action, const std::string& reason,
                          const std::string& user_id, v1::Redemption* out);

  ForTenant<CatalogStore> catalogs_;
  ForTenant<RedemptionStore> redemptions_;
  const CallGuard* guard_;
  AuditLog* audit_;
  Metrics* metrics_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_REWARDS_REWARD_SERVICE_H_
