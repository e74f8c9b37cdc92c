// Keyed mode: every RPC x every kind of caller gets the expected status, and
// two tenants with the same user ids never see each other's data.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/empty.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "plaudit/v1/key_service.grpc.pb.h"
#include "plaudit/v1/tenant_service.grpc.pb.h"
#include "services/auth/api_key.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

enum class Who { kNobody, kRevoked, kReader, kIntegration, kAdmin, kOperator };

// The policy as the issue states it, written independently of the server's
// table: the least role each method needs.
const std::map<std::string, Who>& Policy() {
  static const auto* policy = new std::map<std::string, Who>{
      {"LeaderboardService/GetLeaderboard", Who::kReader},
      {"LeaderboardService/GetRank", Who::kReader},
      {"LeaderboardService/ListScopes", Who::kReader},
      {"AccountService/GetBalance", Who::kReader},
      {"AccountService/ListTransactions", Who::kReader},
      {"AnalyticsService/GetEngagement", Who::kReader},
      {"AnalyticsService/GetEngagementSeries", Who::kReader},
      {"EventService/RecordEvent", Who::kIntegration},
      {"EventService/RecordEvents", Who::kIntegration},
      {"EventService/RetractEvent", Who::kIntegration},
      {"EventService/StreamEvents", Who::kIntegration},
      {"UserService/UpsertUser", Who::kIntegration},
      {"UserService/ImportUsers", Who::kIntegration},
      {"UserService/GetUser", Who::kIntegration},
      {"RuleService/GetRule", Who::kIntegration},
      {"RuleService/ListRules", Who::kIntegration},
      {"RuleService/ListRuleRevisions", Who::kIntegration},
      {"RewardService/GetReward", Who::kIntegration},
      {"RewardService/ListRewards", Who::kIntegration},
      {"RewardService/Redeem", Who::kIntegration},
      {"RewardService/GetRedemption", Who::kIntegration},
      {"RewardService/ListRedemptions", Who::kIntegration},
      {"RewardService/CancelRedemption", Who::kIntegration},
      {"RuleService/CreateRule", Who::kAdmin},
      {"RuleService/UpdateRule", Who::kAdmin},
      {"RuleService/DeleteRule", Who::kAdmin},
      {"AccountService/AdjustBalance", Who::kAdmin},
      {"AnalyticsService/GetTeamFigures", Who::kAdmin},
      {"UserService/DeactivateUser", Who::kAdmin},
      {"UserService/ReactivateUser", Who::kAdmin},
      {"UserService/EraseUser", Who::kAdmin},
      {"LeaderboardService/SetUserVisibility", Who::kAdmin},
      {"RewardService/CreateReward", Who::kAdmin},
      {"RewardService/UpdateReward", Who::kAdmin},
      {"RewardService/ArchiveReward", Who::kAdmin},
      {"RewardService/ApproveRedemption", Who::kAdmin},
      {"RewardService/RejectRedemption", Who::kAdmin},
      {"RewardService/FulfillRedemption", Who::kAdmin},
      {"KeyService/CreateKey", Who::kAdmin},
      {"KeyService/RevokeKey", Who::kAdmin},
      {"KeyService/ListKeys", Who::kAdmin},
      {"AuditService/ListAuditEvents", Who::kAdmin},
      {"TenantService/GetTenantSettings", Who::kIntegration},
      {"TenantService/UpdateTenantSettings", Who::kAdmin},
      {"TenantService/CreateTenant", Who::kOperator},
      {"TenantService/ListTenants", Who::kOperator},
  };
  return *policy;
}

class AuthTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    v1::KeyFile file;
    auto add = [&](const std::string& tenant, v1::Role role, bool revoked = false) {
      NewKey key = GenerateKey(tenant, role, "test");
      key.record.set_revoked(revoked);
      *file.add_keys() = key.record;
      return key.secret;
    };
    keys_[Who::kAdmin] = add("acme", v1::ADMIN);
    keys_[Who::kIntegration] = add("acme", v1::INTEGRATION);
    keys_[Who::kReader] = add("acme", v1::READER);
    keys_[Who::kRevoked] = add("acme", v1::ADMIN, /*revoked=*/true);
    keys_[Who::kOperator] = add("acme", v1::OPERATOR);
    globex_admin_ = add("globex", v1::ADMIN);
    ServerOptions options = KeyedOptions(file);
    // Hundreds of deliberate failures from one peer: not throttled here
    // (abuse_test proves the throttle).
    options.auth_failure_limit = {0, 0};
    keyed_ = StartServer(options);  // with the key cache on, as deployed
    ASSERT_NE(keyed_, nullptr);
    channel_ = ChannelTo(*keyed_);
  }

  void TearDown() override {
    keyed_.reset();
    PlauditTest::TearDown();
  }

  // Calls `method` ("Service/Method") with an empty request as `key`.
  grpc::Status Call(const std::string& method, const std::string& key) {
    grpc::ClientContext context;
    if (!key.empty()) context.AddMetadata("authorization", "Bearer " + key);
    google::protobuf::Empty request, response;
    return grpc::internal::BlockingUnaryCall(
        channel_.get(),
        grpc::internal::RpcMethod(absl::StrCat("/plaudit.v1.", method).c_str(),
                                  grpc::internal::RpcMethod::NORMAL_RPC),
        &context, request, &response);
  }

  std::map<Who, std::string> keys_;
  std::string globex_admin_;
  std::unique_ptr<PlauditServer> keyed_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AuthTest, EveryMethodTimesEveryCaller) {
  // Every method of the API is in the policy (a new RPC must be classified).
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* service : {"RuleService", "EventService", "AccountService",
                              "UserService", "LeaderboardService", "RewardService",
                              "AnalyticsService", "KeyService", "AuditService",
                              "TenantService"}) {
    const auto* descriptor =
        pool->FindServiceByName(absl::StrCat("plaudit.v1.", service));
    ASSERT_NE(descriptor, nullptr) << service;
    for (int m = 0; m < descriptor->method_count(); ++m) {
      const std::string method =
          absl::StrCat(service, "/", descriptor->method(m)->name());
      EXPECT_TRUE(Policy().count(method)) << method << " is not classified";
      ++methods;
    }
  }
  EXPECT_EQ(methods, static_cast<int>(Policy().size()));

  for (const auto& [method, least] : Policy()) {
    for (Who who : {Who::kNobody, Who::kRevoked, Who::kReader, Who::kIntegration,
                    Who::kAdmin, Who::kOperator}) {
      const grpc::Status status = Call(method, who == Who::kNobody ? "" : keys_[who]);
      if (who == Who::kNobody || who == Who::kRevoked) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
        EXPECT_EQ(ErrorReasonOf(status),
                  who == Who::kNobody ? "KEY_MISSING" : "KEY_REJECTED");
      } else if (who < least) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << method << " as " << static_cast<int>(who);
        EXPECT_EQ(ErrorReasonOf(status), "ROLE_FORBIDDEN");
      } else {
        // Admitted: the empty request is then judged on its merits.
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << method << " as " << static_cast<int>(who) << ": "
            << status.error_message();
      }
    }
  }
  EXPECT_EQ(Call("AccountService/GetBalance",
                 "plk.acme." + std::string(16, '0') + "." + std::string(48, '1'))
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthTest, TwoTenantsWithTheSameUserIdsNeverMeet) {
  Client acme(keyed_->port()), globex(keyed_->port());
  auto as = [](const std::string& key) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + key);
    return context;
  };
  const std::string& acme_admin = keys_[Who::kAdmin];
  // acme: a rule, a user, points for ann.
  v1::CreateRuleRequest rule;
  *rule.mutable_rule() = MakeRule("post", "post.created", v1::Rule::ACTOR, 10);
  v1::CreateRuleResponse created;
  ASSERT_TRUE(acme.rules->CreateRule(as(acme_admin).get(), rule, &created).ok());
  v1::UpsertUserRequest user;
  user.mutable_user()->set_user_id("ann");
  user.mutable_user()->set_display_name("Ann of Acme");
  user.mutable_user()->add_groups("dept:sales");
  v1::UpsertUserResponse upserted;
  ASSERT_TRUE(acme.users->UpsertUser(as(acme_admin).get(), user, &upserted).ok());
  v1::RecordEventRequest event;
  *event.mutable_event() = MakeEvent("e1", "post.created", "ann");
  v1::RecordEventResponse recorded;
  ASSERT_TRUE(acme.events->RecordEvent(as(acme_admin).get(), event, &recorded).ok());
  ASSERT_EQ(recorded.outcome().awards_size(), 1);

  // globex sees none of it, through any read.
  v1::GetBalanceRequest balance;
  balance.set_user_id("ann");
  v1::GetBalanceResponse ann;
  ASSERT_TRUE(globex.accounts->GetBalance(as(globex_admin_).get(), balance, &ann).ok());
  EXPECT_EQ(ann.balance().balance(), 0);
  v1::ListRulesResponse rules;
  ASSERT_TRUE(globex.rules->ListRules(as(globex_admin_).get(), {}, &rules).ok());
  EXPECT_EQ(rules.rules_size(), 0);
  v1::GetUserRequest get_user;
  get_user.set_user_id("ann");
  v1::GetUserResponse got;
  EXPECT_EQ(globex.users->GetUser(as(globex_admin_).get(), get_user, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::GetLeaderboardRequest board;
  board.set_scope("global");
  board.set_period(v1::ALL_TIME);
  v1::GetLeaderboardResponse top;
  ASSERT_TRUE(globex.leaderboards->GetLeaderboard(as(globex_admin_).get(), board, &top).ok());
  EXPECT_EQ(top.participants(), 0);
  // The same event id in globex is a new event there (no rule: no points).
  ASSERT_TRUE(globex.events->RecordEvent(as(globex_admin_).get(), event, &recorded).ok());
  EXPECT_FALSE(recorded.outcome().duplicate());
  EXPECT_EQ(recorded.outcome().awards_size(), 0);
  v1::ListKeysResponse keys;
  ASSERT_TRUE(v1::KeyService::NewStub(globex.channel)
                  ->ListKeys(as(globex_admin_).get(), {}, &keys).ok());
  ASSERT_EQ(keys.keys_size(), 1);
  EXPECT_EQ(keys.keys(0).tenant(), "globex");
  EXPECT_TRUE(keys.keys(0).secret_sha256().empty());

  // And acme is untouched by globex.
  ASSERT_TRUE(acme.accounts->GetBalance(as(acme_admin).get(), balance, &ann).ok());
  EXPECT_EQ(ann.balance().balance(), 10);

  // A call naming another tenant than its key's is refused.
  auto named = as(acme_admin);
  named->AddMetadata("plaudit-tenant", "globex");
  EXPECT_EQ(acme.accounts->GetBalance(named.get(), balance, &ann).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthTest, KeysCreatedThroughTheApiWorkUntilRevoked) {
  auto stub = v1::KeyService::NewStub(channel_);
  grpc::ClientContext create_context;
  create_context.AddMetadata("authorization", "Bearer " + keys_[Who::kAdmin]);
  v1::CreateKeyRequest request;
  request.set_role(v1::READER);
  request.set_name("lobby screen");
  v1::CreateKeyResponse created;
  ASSERT_TRUE(stub->CreateKey(&create_context, request, &created).ok());
  EXPECT_EQ(created.key().tenant(), "acme");
  EXPECT_TRUE(created.key().secret_sha256().empty());
  const std::string key = created.secret();
  EXPECT_NE(Call("AccountService/GetBalance", key).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call("EventService/RecordEvent", key).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  grpc::ClientContext revoke_context;
  revoke_context.AddMetadata("authorization", "Bearer " + keys_[Who::kAdmin]);
  v1::RevokeKeyRequest revoke;
  revoke.set_key_id(created.key().key_id());
  v1::RevokeKeyResponse revoked;
  ASSERT_TRUE(stub->RevokeKey(&revoke_context, revoke, &revoked).ok());
  EXPECT_EQ(Call("AccountService/GetBalance", key).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthTest, TheBootstrapKeyOfTheKeysFileCanBeRevoked) {
  // A second admin revokes the first (say, leaked) one.
  auto stub = v1::KeyService::NewStub(channel_);
  grpc::ClientContext create_context;
  create_context.AddMetadata("authorization", "Bearer " + keys_[Who::kAdmin]);
  v1::CreateKeyRequest request;
  request.set_role(v1::ADMIN);
  request.set_name("second admin");
  v1::CreateKeyResponse second;
  ASSERT_TRUE(stub->CreateKey(&create_context, request, &second).ok());
  const std::string first_id =
      ParseBearer("Bearer " + keys_[Who::kAdmin])->key_id;
  grpc::ClientContext revoke_context;
  revoke_context.AddMetadata("authorization", "Bearer " + second.secret());
  v1::RevokeKeyRequest revoke;
  revoke.set_key_id(first_id);
  v1::RevokeKeyResponse revoked;
  ASSERT_TRUE(stub->RevokeKey(&revoke_context, revoke, &revoked).ok());
  EXPECT_TRUE(revoked.key().revoked());
  EXPECT_EQ(Call("KeyService/ListKeys", keys_[Who::kAdmin]).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Call("KeyService/ListKeys", second.secret()).ok());
}

TEST_F(AuthTest, RateLimitIsReachedAndRecovers) {
  ServerOptions options = Options();
  options.open_mode = false;
  options.keys_file = absl::StrCat(getenv("TEST_TMPDIR"), "/keys.json");
  options.rate_limit = {/*per_second=*/1, /*burst=*/3};
  clock_->Set(absl::FromUnixSeconds(1'800'000'000));
  auto limited = StartServer(options);
  ASSERT_NE(limited, nullptr);
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", limited->port()),
                                 grpc::InsecureChannelCredentials());
  const std::string& key = keys_[Who::kReader];
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Call("AccountService/GetBalance", key).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);  // admitted
  }
  const grpc::Status limited_call = Call("AccountService/GetBalance", key);
  EXPECT_EQ(limited_call.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(limited_call.error_message().find("retry in 1001 ms"), std::string::npos)
      << limited_call.error_message();
  EXPECT_EQ(ErrorReasonOf(limited_call), "RATE_LIMITED");
  EXPECT_EQ(RetryDelayOf(limited_call), absl::Seconds(1));
  // Another key is not slowed down by this one.
  EXPECT_EQ(Call("AccountService/GetBalance", keys_[Who::kAdmin]).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  clock_->Set(absl::FromUnixSeconds(1'800'000'001));
  EXPECT_EQ(Call("AccountService/GetBalance", key).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuthTest, OversizedMessagesAreRefused) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + keys_[Who::kAdmin]);
  v1::ImportUsersRequest request;
  v1::User* user = request.add_users();
  user->set_user_id("big");
  user->set_display_name(std::string(9 << 20, 'x'));
  v1::ImportUsersResponse response;
  auto stub = v1::UserService::NewStub(channel_);
  EXPECT_EQ(stub->ImportUsers(&context, request, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace plaudit::testing
