// Every admin mutation leaves one audit entry: who, what, when, before and
// after; the trail filters by kind and time and pages newest first.
#include "absl/strings/str_cat.h"
#include "plaudit/v1/audit_service.grpc.pb.h"
#include "plaudit/v1/key_service.grpc.pb.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

class AuditTest : public PlauditTest {
 protected:
  std::vector<v1::AuditEvent> Trail(const std::string& kind = "", int page_size = 100,
                                    absl::Time start = absl::InfinitePast()) {
    auto stub = v1::AuditService::NewStub(client_->channel);
    v1::ListAuditEventsRequest request;
    request.set_kind(kind);
    request.set_page_size(page_size);
    if (start != absl::InfinitePast()) {
      request.mutable_start_time()->set_seconds(absl::ToUnixSeconds(start));
    }
    std::vector<v1::AuditEvent> events;
    do {
      v1::ListAuditEventsResponse page;
      grpc::ClientContext context;
      const grpc::Status status = stub->ListAuditEvents(&context, request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      events.insert(events.end(), page.events().begin(), page.events().end());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return events;
  }
};

TEST_F(AuditTest, EveryAdminMutationIsOnTheTrail) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  v1::UpdateRuleRequest update;
  update.mutable_rule()->set_rule_id("post");
  update.mutable_rule()->set_points(15);
  update.mutable_update_mask()->add_paths("points");
  v1::UpdateRuleResponse updated;
  grpc::ClientContext c1;
  ASSERT_TRUE(client_->rules->UpdateRule(&c1, update, &updated).ok());
  v1::DeleteRuleRequest remove;
  remove.set_rule_id("post");
  v1::DeleteRuleResponse removed;
  grpc::ClientContext c2;
  ASSERT_TRUE(client_->rules->DeleteRule(&c2, remove, &removed).ok());

  v1::CreateRewardRequest reward;
  reward.mutable_reward()->set_reward_id("mug");
  reward.mutable_reward()->set_title("Mug");
  reward.mutable_reward()->set_cost(10);
  reward.mutable_reward()->set_requires_approval(true);
  v1::CreateRewardResponse created;
  grpc::ClientContext c3;
  ASSERT_TRUE(client_->rewards->CreateReward(&c3, reward, &created).ok());
  v1::AdjustBalanceRequest adjust;
  adjust.set_user_id("ann");
  adjust.set_delta(100);
  adjust.set_reason("welcome");
  adjust.set_request_id("a1");
  v1::AdjustBalanceResponse adjusted;
  grpc::ClientContext c4;
  ASSERT_TRUE(client_->accounts->AdjustBalance(&c4, adjust, &adjusted).ok());
  // Resends of the same adjustment change nothing and add no entry.
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext resend;
    ASSERT_TRUE(client_->accounts->AdjustBalance(&resend, adjust, &adjusted).ok());
    EXPECT_TRUE(adjusted.duplicate());
  }
  v1::RedeemRequest redeem;
  redeem.set_user_id("ann");
  redeem.set_reward_id("mug");
  redeem.set_quantity(1);
  redeem.set_request_id("r1");
  v1::RedeemResponse redeemed;
  grpc::ClientContext c5;
  ASSERT_TRUE(client_->rewards->Redeem(&c5, redeem, &redeemed).ok());
  v1::RejectRedemptionRequest reject;
  reject.set_redemption_id(redeemed.redemption().redemption_id());
  reject.set_reason("out of mugs");
  v1::RejectRedemptionResponse rejected;
  grpc::ClientContext c6;
  ASSERT_TRUE(client_->rewards->RejectRedemption(&c6, reject, &rejected).ok());
  v1::ArchiveRewardRequest archive;
  archive.set_reward_id("mug");
  v1::ArchiveRewardResponse archived;
  grpc::ClientContext c7;
  ASSERT_TRUE(client_->rewards->ArchiveReward(&c7, archive, &archived).ok());
  auto keys = v1::KeyService::NewStub(client_->channel);
  v1::CreateKeyRequest create_key;
  create_key.set_role(v1::READER);
  create_key.set_name("lobby screen");
  v1::CreateKeyResponse key;
  grpc::ClientContext c8;
  ASSERT_TRUE(keys->CreateKey(&c8, create_key, &key).ok());
  v1::RevokeKeyRequest revoke;
  revoke.set_key_id(key.key().key_id());
  v1::RevokeKeyResponse revoked;
  grpc::ClientContext c9;
  ASSERT_TRUE(keys->RevokeKey(&c9, revoke, &revoked).ok());
  // Not admin mutations: no entries.
  Record(MakeEvent("e1", "post.created", "ann"));

  const auto trail = Trail();
  std::vector<std::string> kinds;
  for (const auto& event : trail) {
    kinds.push_back(event.kind());
    EXPECT_EQ(event.key_id(), "dev");
    EXPECT_TRUE(event.has_time());
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{
                       "KEY_REVOKED", "KEY_CREATED", "REWARD_ARCHIVED",
                       "REDEMPTION_REJECTED", "BALANCE_ADJUSTED", "REWARD_CREATED",
                       "RULE_DELETED", "RULE_UPDATED", "RULE_CREATED"}));
  const v1::AuditEvent& rule_update = trail[7];
  EXPECT_EQ(rule_update.target(), "post");
  EXPECT_NE(rule_update.before_json().find("\"points\":\"10\""), std::string::npos)
      << rule_update.before_json();
  EXPECT_NE(rule_update.after_json().find("\"points\":\"15\""), std::string::npos);
  EXPECT_TRUE(trail[6].after_json().empty());  // a deletion has no after
  EXPECT_NE(trail[3].after_json().find("out of mugs"), std::string::npos);
  // The secret of a created key never reaches the trail.
  EXPECT_EQ(trail[1].after_json().find(key.secret()), std::string::npos);

  EXPECT_EQ(Trail("RULE_UPDATED").size(), 1u);
  EXPECT_EQ(Trail("", /*page_size=*/2).size(), trail.size());
  EXPECT_TRUE(Trail("", 100, absl::Now() + absl::Hours(1)).empty());
}

}  // namespace
}  // namespace plaudit::testing
