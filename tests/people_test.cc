// People against a real redis-server: managers who may act for their
// reports (and only theirs), manager loops refused, leavers deactivated
// under each policy with the ledger still adding up, and erasure leaving no
// trace of a person's name anywhere in Redis.
#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "plaudit/v1/audit_service.grpc.pb.h"
#include "plaudit/v1/tenant_service.grpc.pb.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

class PeopleTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    v1::KeyFile file;
    admin_ = AddKey(&file, "acme", v1::ADMIN);
    portal_ = AddKey(&file, "acme", v1::INTEGRATION);
    keyed_ = StartServer(KeyedOptions(file));
    ASSERT_NE(keyed_, nullptr);
    channel_ = ChannelTo(*keyed_);
    acme_ = std::make_unique<Client>(keyed_->port());
  }

  void TearDown() override {
    acme_.reset();
    keyed_.reset();
    PlauditTest::TearDown();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& key,
                                          const std::string& actor = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + key);
    if (!actor.empty()) context->AddMetadata("plaudit-actor", actor);
    return context;
  }

  grpc::Status Sync(const std::string& id, const std::string& manager,
                    const std::string& name = "",
                    std::vector<std::string> groups = {}) {
    v1::UpsertUserRequest request;
    request.mutable_user()->set_user_id(id);
    request.mutable_user()->set_display_name(name.empty() ? "User " + id
                                                          : name);
    request.mutable_user()->set_manager_id(manager);
    for (auto& group : groups) request.mutable_user()->add_groups(group);
    v1::UpsertUserResponse response;
    return acme_->users->UpsertUser(As(portal_).get(), request, &response);
  }

  grpc::Status Grant(const std::string& key, const std::string& actor,
                     const std::string& user, int64_t delta,
                     const std::string& reason = "well done") {
    v1::AdjustBalanceRequest request;
    request.set_user_id(user);
    request.set_delta(delta);
    request.set_reason(reason);
    request.set_request_id(absl::StrCat("grant-", ++grants_));
    v1::AdjustBalanceResponse response;
    return acme_->accounts->AdjustBalance(As(key, actor).get(), request,
                                          &response);
  }

  v1::Balance BalanceOf(const std::string& user) {
    v1::GetBalanceRequest request;
    request.set_user_id(user);
    v1::GetBalanceResponse response;
    EXPECT_TRUE(
        acme_->accounts->GetBalance(As(portal_).get(), request, &response)
            .ok());
    return response.balance();
  }

  // The ledger invariant: the balance is the sum of the user's entries.
  void ExpectLedgerAddsUp(const std::string& user) {
    int64_t sum = 0;
    std::string token;
    do {
      v1::ListTransactionsRequest request;
      request.set_user_id(user);
      request.set_page_size(100);
      request.set_page_token(token);
      v1::ListTransactionsResponse response;
      ASSERT_TRUE(acme_->accounts
                      ->ListTransactions(As(portal_).get(), request, &response)
                      .ok());
      for (const auto& entry : response.entries()) sum += entry.delta();
      token = response.next_page_token();
    } while (!token.empty());
    EXPECT_EQ(sum, BalanceOf(user).balance()) << user;
  }

  std::vector<v1::LedgerEntry::Type> LedgerTypes(const std::string& user) {
    v1::ListTransactionsRequest request;
    request.set_user_id(user);
    request.set_page_size(100);
    v1::ListTransactionsResponse response;
    EXPECT_TRUE(
        acme_->accounts->ListTransactions(As(portal_).get(), request, &response)
            .ok());
    std::vector<v1::LedgerEntry::Type> types;
    for (const auto& entry : response.entries()) types.push_back(entry.type());
    return types;
  }

  // User ids on a board ("" bucket: the current one).
  std::vector<std::string> OnBoard(v1::Period period,
                                   const std::string& bucket = "",
                                   std::string* bucket_out = nullptr) {
    v1::GetLeaderboardRequest request;
    request.set_scope("global");
    request.set_period(period);
    request.set_bucket(bucket);
    v1::GetLeaderboardResponse response;
    const grpc::Status status = acme_->leaderboards->GetLeaderboard(
        As(portal_).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (bucket_out != nullptr) *bucket_out = response.bucket();
    std::vector<std::string> users;
    for (const auto& entry : response.entries()) {
      users.push_back(entry.user_id());
    }
    return users;
  }

  void PaidRule() {
    v1::CreateRuleRequest request;
    *request.mutable_rule() =
        MakeRule("post", "post.created", v1::Rule::ACTOR, 10);
    v1::CreateRuleResponse response;
    ASSERT_TRUE(
        acme_->rules->CreateRule(As(admin_).get(), request, &response).ok());
  }

  grpc::Status Post(const std::string& user, v1::EventOutcome* outcome) {
    v1::RecordEventRequest request;
    *request.mutable_event() =
        MakeEvent(absl::StrCat("post-", ++posts_), "post.created", user);
    v1::RecordEventResponse response;
    grpc::Status status =
        acme_->events->RecordEvent(As(portal_).get(), request, &response);
    *outcome = response.outcome();
    return status;
  }

  void ApprovalReward(int64_t cost) {
    v1::CreateRewardRequest request;
    request.mutable_reward()->set_reward_id("day-off");
    request.mutable_reward()->set_title("A day off");
    request.mutable_reward()->set_cost(cost);
    request.mutable_reward()->set_requires_approval(true);
    v1::CreateRewardResponse response;
    ASSERT_TRUE(
        acme_->rewards->CreateReward(As(admin_).get(), request, &response)
            .ok());
  }

  std::string Redeem(const std::string& user) {
    v1::RedeemRequest request;
    request.set_user_id(user);
    request.set_reward_id("day-off");
    request.set_quantity(1);
    request.set_request_id(absl::StrCat("redeem-", ++redeems_));
    v1::RedeemResponse response;
    const grpc::Status status =
        acme_->rewards->Redeem(As(portal_).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.redemption().redemption_id();
  }

  grpc::Status Deactivate(const std::string& user, v1::BalancePolicy balance,
                          v1::BoardPolicy boards,
                          v1::DeactivateUserResponse* response) {
    v1::DeactivateUserRequest request;
    request.set_user_id(user);
    request.set_balance(balance);
    request.set_boards(boards);
    request.set_reason("left the company");
    return acme_->users->DeactivateUser(As(admin_).get(), request, response);
  }

  grpc::Status Erase(const std::string& user, v1::EraseUserResponse* report) {
    v1::EraseUserRequest request;
    request.set_user_id(user);
    return acme_->users->EraseUser(As(admin_).get(), request, report);
  }

  // Whether `user` has an entry on any board, visible or hidden.
  bool OnAnyBoard(const std::string& user) {
    std::string cursor = "0";
    do {
      absl::StatusOr<RedisValue> page = redis_->client().Run(
          {"SCAN", cursor, "MATCH", "plaudit:{acme}:lb*", "COUNT", "1000"});
      if (!page.ok()) return true;
      cursor = page->elements.at(0).str;
      for (const RedisValue& key : page->elements.at(1).elements) {
        if (!redis_->client().Run({"ZSCORE", key.str, user})->is_nil()) {
          return true;
        }
      }
    } while (cursor != "0");
    return false;
  }

  // Every key name and every value Redis holds, as text.
  std::string EverythingInRedis() {
    RedisClient& redis = redis_->client();
    std::string all;
    auto add = [&](const RedisValue& value, auto& self) -> void {
      absl::StrAppend(&all, value.str, "\n");
      for (const RedisValue& element : value.elements) self(element, self);
    };
    std::string cursor = "0";
    do {
      absl::StatusOr<RedisValue> page =
          redis.Run({"SCAN", cursor, "COUNT", "1000"});
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      cursor = page->elements.at(0).str;
      for (const RedisValue& key : page->elements.at(1).elements) {
        absl::StrAppend(&all, key.str, "\n");
        const std::string type = redis.Run({"TYPE", key.str})->str;
        RedisCommand read;
        if (type == "string") read = {"GET", key.str};
        if (type == "hash") read = {"HGETALL", key.str};
        if (type == "set") read = {"SMEMBERS", key.str};
        if (type == "zset") read = {"ZRANGE", key.str, "0", "-1", "WITHSCORES"};
        if (type == "list") read = {"LRANGE", key.str, "0", "-1"};
        if (type == "stream") read = {"XRANGE", key.str, "-", "+"};
        EXPECT_FALSE(read.empty()) << key.str << " is a " << type;
        if (!read.empty()) add(*redis.Run(read), add);
      }
    } while (cursor != "0");
    return all;
  }

  std::string admin_, portal_;
  std::unique_ptr<PlauditServer> keyed_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Client> acme_;  // stubs; each call carries its key
  int grants_ = 0, posts_ = 0, redeems_ = 0;
};

TEST_F(PeopleTest, ManagerLoopsAreRefusedAndChangeNothing) {
  ASSERT_TRUE(Sync("anna", "").ok());
  ASSERT_TRUE(Sync("boris", "anna").ok());
  ASSERT_TRUE(Sync("carl", "boris").ok());
  const std::string before = DataDigest();

  grpc::Status status = Sync("anna", "carl");  // anna -> carl -> boris -> anna
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorReasonOf(status), "MANAGER_LOOP");
  EXPECT_EQ(ErrorMetadataOf(status, "field"), "user.manager_id");
  EXPECT_TRUE(absl::StrContains(status.error_message(),
                                "anna -> carl -> boris -> anna"))
      << status.error_message();
  status = Sync("anna", "anna");
  EXPECT_EQ(ErrorReasonOf(status), "MANAGER_LOOP");

  // A loop made within one import: refused whole, naming the entry.
  v1::ImportUsersRequest import;
  for (auto [id, manager] :
       {std::pair{"dora", "anna"}, {"eve", "fred"}, {"fred", "eve"}}) {
    v1::User* user = import.add_users();
    user->set_user_id(id);
    user->set_manager_id(manager);
  }
  v1::ImportUsersResponse imported;
  status = acme_->users->ImportUsers(As(portal_).get(), import, &imported);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorMetadataOf(status, "field"), "users[1].manager_id");
  EXPECT_EQ(DataDigest(), before);

  // Moving a report to another manager is no loop.
  EXPECT_TRUE(Sync("carl", "anna").ok());
  v1::GetUserRequest get;
  get.set_user_id("carl");
  v1::GetUserResponse got;
  ASSERT_TRUE(acme_->users->GetUser(As(portal_).get(), get, &got).ok());
  EXPECT_EQ(got.user().manager_id(), "anna");
}

TEST_F(PeopleTest, AManagerGivesAndDecidesForTheirReportsOnly) {
  ASSERT_TRUE(Sync("boss", "").ok());
  ASSERT_TRUE(Sync("alice", "boss").ok());
  ASSERT_TRUE(Sync("carol", "alice").ok());  // boss manages her through alice
  ASSERT_TRUE(Sync("bob", "other").ok());

  EXPECT_TRUE(Grant(portal_, "boss", "alice", 50).ok());
  EXPECT_TRUE(Grant(portal_, "boss", "carol", 30).ok());
  EXPECT_EQ(BalanceOf("alice").balance(), 50);
  EXPECT_EQ(BalanceOf("carol").balance(), 30);

  const std::string before = DataDigest();
  grpc::Status status = Grant(portal_, "boss", "bob", 50);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReasonOf(status), "NOT_MANAGER");
  EXPECT_EQ(ErrorMetadataOf(status, "field"), "user_id");
  status = Grant(portal_, "carol", "alice", 5);  // reports do not manage up
  EXPECT_EQ(ErrorReasonOf(status), "NOT_MANAGER");
  status = Grant(portal_, "boss", "alice", -5);  // managers give, HR deducts
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorMetadataOf(status, "field"), "delta");
  status = Grant(portal_, "", "alice", 5);  // no manager named: HR's method
  EXPECT_EQ(ErrorReasonOf(status), "ROLE_FORBIDDEN");
  EXPECT_EQ(DataDigest(), before);
  EXPECT_EQ(BalanceOf("bob").balance(), 0);

  // Approving and rejecting a report's redemption; not another's.
  ApprovalReward(20);
  ASSERT_TRUE(Grant(admin_, "", "bob", 40).ok());
  const std::string alices = Redeem("alice");
  const std::string bobs = Redeem("bob");
  v1::ApproveRedemptionRequest approve;
  approve.set_redemption_id(alices);
  v1::ApproveRedemptionResponse approved;
  ASSERT_TRUE(
      acme_->rewards
          ->ApproveRedemption(As(portal_, "boss").get(), approve, &approved)
          .ok());
  EXPECT_EQ(approved.redemption().status(), v1::Redemption::APPROVED);
  v1::RejectRedemptionRequest reject;
  reject.set_redemption_id(bobs);
  reject.set_reason("not now");
  v1::RejectRedemptionResponse rejected;
  status = acme_->rewards->RejectRedemption(As(portal_, "boss").get(), reject,
                                            &rejected);
  EXPECT_EQ(ErrorReasonOf(status), "NOT_MANAGER");
  EXPECT_EQ(BalanceOf("bob").balance(), 20);  // still debited, still pending

  // The trail names the manager who acted, and that they acted as one.
  v1::ListAuditEventsRequest list;
  list.set_kind("BALANCE_ADJUSTED");
  v1::ListAuditEventsResponse trail;
  ASSERT_TRUE(v1::AuditService::NewStub(channel_)
                  ->ListAuditEvents(As(admin_).get(), list, &trail)
                  .ok());
  ASSERT_EQ(trail.events_size(), 3);  // newest first: HR's grant to bob
  EXPECT_FALSE(trail.events(0).as_manager());
  EXPECT_EQ(trail.events(1).target(), "carol");
  EXPECT_EQ(trail.events(1).actor(), "boss");
  EXPECT_TRUE(trail.events(1).as_manager());
}

TEST_F(PeopleTest, AManagerWhoLeftManagesNobody) {
  ASSERT_TRUE(Sync("boss", "").ok());
  ASSERT_TRUE(Sync("alice", "boss").ok());
  ASSERT_TRUE(Grant(portal_, "boss", "alice", 5).ok());
  v1::DeactivateUserResponse left;
  ASSERT_TRUE(
      Deactivate("boss", v1::KEEP_BALANCE, v1::LEAVE_ALL_BOARDS, &left).ok());
  EXPECT_EQ(ErrorReasonOf(Grant(portal_, "boss", "alice", 5)), "NOT_MANAGER");
  EXPECT_EQ(BalanceOf("alice").balance(), 5);
}

TEST_F(PeopleTest, ALeaversApprovedRedemptionsAreCancelledToo) {
  ApprovalReward(10);
  ASSERT_TRUE(Sync("ivy", "").ok());
  ASSERT_TRUE(Grant(admin_, "", "ivy", 30).ok());
  const std::string approved = Redeem("ivy");
  v1::ApproveRedemptionRequest approve;
  approve.set_redemption_id(approved);
  v1::ApproveRedemptionResponse answer;
  ASSERT_TRUE(
      acme_->rewards->ApproveRedemption(As(admin_).get(), approve, &answer)
          .ok());
  v1::DeactivateUserResponse left;
  ASSERT_TRUE(
      Deactivate("ivy", v1::PAY_OUT_BALANCE, v1::LEAVE_ALL_BOARDS, &left).ok());
  EXPECT_EQ(left.cancelled_redemption_ids_size(), 1);
  EXPECT_EQ(left.settled_points(), 30);  // the refund was paid out too
  // Nothing is left for HR to reject, so nothing can be refunded again.
  v1::RejectRedemptionRequest reject;
  reject.set_redemption_id(approved);
  reject.set_reason("gone");
  v1::RejectRedemptionResponse rejected;
  EXPECT_EQ(ErrorReasonOf(acme_->rewards->RejectRedemption(As(admin_).get(),
                                                           reject, &rejected)),
            "TRANSITION_NOT_ALLOWED");
  EXPECT_EQ(BalanceOf("ivy").balance(), 0);
  ExpectLedgerAddsUp("ivy");
}

TEST_F(PeopleTest, AManagerSeesTheTeamsFiguresAndNoOneElses) {
  PaidRule();
  ASSERT_TRUE(Sync("boss", "").ok());
  ASSERT_TRUE(Sync("alice", "boss", "Alice A").ok());
  ASSERT_TRUE(Sync("carol", "alice").ok());
  ASSERT_TRUE(Sync("dan", "boss").ok());  // quiet
  ASSERT_TRUE(Sync("bob", "other").ok());
  v1::EventOutcome outcome;
  ASSERT_TRUE(Post("alice", &outcome).ok());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Post("carol", &outcome).ok());
  ASSERT_TRUE(Post("bob", &outcome).ok());

  auto team = [&](const std::string& key, const std::string& actor,
                  const std::string& manager, bool indirect,
                  v1::TeamFigures* out) {
    v1::GetTeamFiguresRequest request;
    request.set_manager_id(manager);
    request.set_period(v1::WEEK);
    request.set_include_indirect(indirect);
    v1::GetTeamFiguresResponse response;
    grpc::Status status = acme_->analytics->GetTeamFigures(As(key, actor).get(),
                                                           request, &response);
    *out = response.team();
    return status;
  };
  v1::TeamFigures figures;
  ASSERT_TRUE(team(admin_, "", "boss", false, &figures).ok());
  ASSERT_EQ(figures.members_size(), 2);
  EXPECT_EQ(figures.members(0).user_id(), "alice");
  EXPECT_EQ(figures.members(0).display_name(), "Alice A");
  EXPECT_EQ(figures.members(0).points(), 10);
  EXPECT_EQ(figures.points(), 10);
  EXPECT_EQ(figures.active_members(), 1);
  ASSERT_EQ(figures.quiet_user_ids_size(), 1);
  EXPECT_EQ(figures.quiet_user_ids(0), "dan");

  // Everyone under boss, through the portal for boss: carol leads.
  ASSERT_TRUE(team(portal_, "boss", "boss", true, &figures).ok());
  ASSERT_EQ(figures.members_size(), 3);
  EXPECT_EQ(figures.members(0).user_id(), "carol");
  EXPECT_FALSE(figures.members(0).direct());
  EXPECT_EQ(figures.points(), 30);
  // alice sees her own team, and boss sees it too; alice not boss's.
  EXPECT_TRUE(team(portal_, "alice", "alice", false, &figures).ok());
  EXPECT_TRUE(team(portal_, "boss", "alice", false, &figures).ok());
  grpc::Status status = team(portal_, "alice", "boss", false, &figures);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReasonOf(status), "NOT_MANAGER");
  status = team(portal_, "bob", "alice", false, &figures);
  EXPECT_EQ(ErrorReasonOf(status), "NOT_MANAGER");
  status = team(portal_, "", "boss", false, &figures);
  EXPECT_EQ(ErrorReasonOf(status), "ROLE_FORBIDDEN");
  status = team(admin_, "", "nobody", false, &figures);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  // A leaver is no longer on the team.
  v1::DeactivateUserResponse left;
  ASSERT_TRUE(
      Deactivate("carol", v1::KEEP_BALANCE, v1::LEAVE_ALL_BOARDS, &left).ok());
  ASSERT_TRUE(team(admin_, "", "boss", true, &figures).ok());
  EXPECT_EQ(figures.members_size(), 2);
  EXPECT_EQ(figures.points(), 10);
}

// Deactivation under each balance policy: pending redemptions refunded,
// off the boards, the balance settled, the ledger still adding up; events
// about the leaver refused; reactivation brings them back.
TEST_F(PeopleTest, DeactivationUnderEachPolicyKeepsTheLedgerWhole) {
  PaidRule();
  ApprovalReward(20);
  for (auto [user, policy, balance_after, settled_type] :
       {std::tuple{"keeper", v1::KEEP_BALANCE, 50, v1::LedgerEntry::REFUND},
        {"payee", v1::PAY_OUT_BALANCE, 0, v1::LedgerEntry::PAYOUT},
        {"loser", v1::FORFEIT_BALANCE, 0, v1::LedgerEntry::FORFEIT}}) {
    SCOPED_TRACE(user);
    ASSERT_TRUE(Sync(user, "").ok());
    v1::EventOutcome outcome;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(Post(user, &outcome).ok());
    const std::string pending = Redeem(user);
    EXPECT_EQ(BalanceOf(user).balance(), 30);
    std::vector<std::string> board = OnBoard(v1::ALL_TIME);
    EXPECT_NE(std::find(board.begin(), board.end(), user), board.end());

    v1::DeactivateUserResponse left;
    ASSERT_TRUE(Deactivate(user, policy, v1::LEAVE_ALL_BOARDS, &left).ok());
    EXPECT_EQ(left.cancelled_redemption_ids().size(), 1);
    EXPECT_EQ(left.cancelled_redemption_ids(0), pending);
    EXPECT_EQ(left.refunded_points(), 20);
    EXPECT_EQ(left.settled_points(), 50 - balance_after);
    EXPECT_EQ(left.balance(), balance_after);
    EXPECT_TRUE(left.user().deactivated());
    EXPECT_EQ(BalanceOf(user).balance(), balance_after);
    EXPECT_EQ(LedgerTypes(user).front(), settled_type);
    ExpectLedgerAddsUp(user);
    for (v1::Period period : {v1::ALL_TIME, v1::DAY}) {
      board = OnBoard(period);
      EXPECT_EQ(std::find(board.begin(), board.end(), user), board.end());
    }
    v1::GetRedemptionRequest get;
    get.set_redemption_id(pending);
    v1::GetRedemptionResponse redemption;
    ASSERT_TRUE(
        acme_->rewards->GetRedemption(As(portal_).get(), get, &redemption)
            .ok());
    EXPECT_EQ(redemption.redemption().status(), v1::Redemption::CANCELLED);

    // Earns nothing more, says why; a second deactivation is refused.
    ASSERT_TRUE(Post(user, &outcome).ok());
    EXPECT_EQ(outcome.awards_size(), 0);
    ASSERT_EQ(outcome.refusals_size(), 1);
    EXPECT_EQ(outcome.refusals(0).reason(), v1::Refusal::USER_DEACTIVATED);
    const std::string before = DataDigest();
    grpc::Status status = Deactivate(user, policy, v1::LEAVE_ALL_BOARDS, &left);
    EXPECT_EQ(ErrorReasonOf(status), "ALREADY_DEACTIVATED");
    status = Grant(admin_, "", user, 5);
    EXPECT_EQ(ErrorReasonOf(status), "USER_DEACTIVATED");
    EXPECT_EQ(DataDigest(), before);

    // Back: on the boards with their points, earning again.
    v1::ReactivateUserRequest back;
    back.set_user_id(user);
    v1::ReactivateUserResponse returned;
    ASSERT_TRUE(
        acme_->users->ReactivateUser(As(admin_).get(), back, &returned).ok());
    EXPECT_GT(returned.board_entries_restored(), 0);
    EXPECT_FALSE(returned.user().deactivated());
    board = OnBoard(v1::ALL_TIME);
    EXPECT_NE(std::find(board.begin(), board.end(), user), board.end());
    ASSERT_TRUE(Post(user, &outcome).ok());
    EXPECT_EQ(outcome.awards_size(), 1);
    EXPECT_EQ(BalanceOf(user).balance(), balance_after + 10);
    ExpectLedgerAddsUp(user);
    status = acme_->users->ReactivateUser(As(admin_).get(), back, &returned);
    EXPECT_EQ(ErrorReasonOf(status), "NOT_DEACTIVATED");
  }
}

// Leaving while HR clicks twice and the portal keeps sending events about
// the user: one deactivation wins, the balance is paid out once, every
// event is either paid before it (and in the payout) or refused after.
TEST_F(PeopleTest, ConcurrentLeavingPaysOutExactlyOnce) {
  PaidRule();
  ApprovalReward(10);
  ASSERT_TRUE(Sync("max", "").ok());
  ASSERT_TRUE(Grant(admin_, "", "max", 100).ok());
  for (int i = 0; i < 3; ++i) Redeem("max");
  std::atomic<int> deactivated{0}, refused_twice{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&] {
      v1::DeactivateUserResponse left;
      const grpc::Status status =
          Deactivate("max", v1::PAY_OUT_BALANCE, v1::LEAVE_ALL_BOARDS, &left);
      if (status.ok()) ++deactivated;
      if (ErrorReasonOf(status) == "ALREADY_DEACTIVATED") ++refused_twice;
    });
    callers.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        v1::RecordEventRequest request;
        *request.mutable_event() =
            MakeEvent(absl::StrCat("c-", t, "-", i), "post.created", "max");
        v1::RecordEventResponse response;
        EXPECT_TRUE(
            acme_->events->RecordEvent(As(portal_).get(), request, &response)
                .ok());
      }
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(deactivated.load(), 1);
  EXPECT_EQ(refused_twice.load(), 7);
  EXPECT_EQ(BalanceOf("max").balance(), 0);
  const std::vector<v1::LedgerEntry::Type> types = LedgerTypes("max");
  EXPECT_EQ(std::count(types.begin(), types.end(), v1::LedgerEntry::PAYOUT), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), v1::LedgerEntry::REFUND), 3);
  EXPECT_EQ(types.front(), v1::LedgerEntry::PAYOUT);  // nothing paid after it
  ExpectLedgerAddsUp("max");
}

TEST_F(PeopleTest, TheTenantsLeaverPolicyAppliesWhenTheCallNamesNone) {
  auto tenants = v1::TenantService::NewStub(channel_);
  v1::UpdateTenantSettingsRequest update;
  update.mutable_update_mask()->add_paths("leaver_balance");
  update.mutable_settings()->set_leaver_balance(
      static_cast<v1::BalancePolicy>(9));
  v1::UpdateTenantSettingsResponse updated;
  grpc::Status status =
      tenants->UpdateTenantSettings(As(admin_).get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorMetadataOf(status, "field"), "settings.leaver_balance");
  update.mutable_settings()->set_leaver_balance(v1::FORFEIT_BALANCE);
  ASSERT_TRUE(
      tenants->UpdateTenantSettings(As(admin_).get(), update, &updated).ok());

  ASSERT_TRUE(Sync("lev", "").ok());
  ASSERT_TRUE(Grant(admin_, "", "lev", 12).ok());
  v1::DeactivateUserResponse left;
  ASSERT_TRUE(Deactivate("lev", v1::BALANCE_POLICY_UNSPECIFIED,
                         v1::BOARD_POLICY_UNSPECIFIED, &left)
                  .ok());
  EXPECT_EQ(left.balance_policy(), v1::FORFEIT_BALANCE);
  EXPECT_EQ(left.settled_points(), 12);
  EXPECT_EQ(LedgerTypes("lev").front(), v1::LedgerEntry::FORFEIT);

  // Bad requests name their field and change nothing.
  ASSERT_TRUE(Sync("kim", "").ok());
  const std::string before = DataDigest();
  v1::DeactivateUserRequest bad;
  bad.set_user_id("kim");
  v1::DeactivateUserResponse ignored;
  status = acme_->users->DeactivateUser(As(admin_).get(), bad, &ignored);
  EXPECT_EQ(ErrorMetadataOf(status, "field"), "reason");
  bad.set_reason("left");
  bad.set_balance(static_cast<v1::BalancePolicy>(7));
  status = acme_->users->DeactivateUser(As(admin_).get(), bad, &ignored);
  EXPECT_EQ(ErrorMetadataOf(status, "field"), "balance");
  bad.set_balance(v1::KEEP_BALANCE);
  bad.set_user_id("never-synced");
  status = acme_->users->DeactivateUser(As(admin_).get(), bad, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  status = acme_->users->DeactivateUser(As(portal_).get(), bad, &ignored);
  EXPECT_EQ(ErrorReasonOf(status), "ROLE_FORBIDDEN");
  EXPECT_EQ(DataDigest(), before);
}

TEST_F(PeopleTest, KeepingPastPlacesLeavesOnlyTheCurrentBoards) {
  PaidRule();
  ASSERT_TRUE(Sync("vera", "").ok());
  clock_->Set(absl::FromUnixSeconds(1'780'000'000));  // a Thursday in 2026
  v1::EventOutcome outcome;
  ASSERT_TRUE(Post("vera", &outcome).ok());
  std::string last_week;
  OnBoard(v1::WEEK, "", &last_week);
  clock_->Set(absl::FromUnixSeconds(1'780'000'000) + absl::Hours(7 * 24));
  ASSERT_TRUE(Post("vera", &outcome).ok());

  v1::DeactivateUserResponse left;
  ASSERT_TRUE(
      Deactivate("vera", v1::KEEP_BALANCE, v1::KEEP_PAST_PLACES, &left).ok());
  EXPECT_EQ(OnBoard(v1::WEEK, last_week), std::vector<std::string>{"vera"});
  EXPECT_TRUE(OnBoard(v1::WEEK).empty());
  EXPECT_TRUE(OnBoard(v1::ALL_TIME).empty());
  EXPECT_EQ(BalanceOf("vera").balance(), 20);

  // Hiding the leaver takes the places kept too.
  v1::SetUserVisibilityRequest hide;
  hide.set_user_id("vera");
  hide.set_hidden(true);
  v1::SetUserVisibilityResponse hidden;
  ASSERT_TRUE(
      acme_->leaderboards->SetUserVisibility(As(admin_).get(), hide, &hidden)
          .ok());
  EXPECT_TRUE(OnBoard(v1::WEEK, last_week).empty());
}

TEST_F(PeopleTest, ErasureLeavesNoTraceOfTheNameAndTotalsStay) {
  PaidRule();
  ApprovalReward(10);
  const std::string name = "Zoya Ptichkina-7781";
  ASSERT_TRUE(Sync("boss", "").ok());
  ASSERT_TRUE(Sync("zoya", "boss", name, {"dept:sales"}).ok());
  ASSERT_TRUE(Sync("intern", "zoya").ok());
  v1::EventOutcome outcome;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Post("zoya", &outcome).ok());
  ASSERT_TRUE(Grant(admin_, "", "zoya", 7, "for " + name + "'s talk").ok());
  const std::string redemption = Redeem("zoya");
  v1::RejectRedemptionRequest reject;
  reject.set_redemption_id(redemption);
  reject.set_reason(name + " asked twice");
  v1::RejectRedemptionResponse rejected;
  ASSERT_TRUE(
      acme_->rewards->RejectRedemption(As(admin_).get(), reject, &rejected)
          .ok());
  ASSERT_TRUE(absl::StrContains(EverythingInRedis(), name));

  v1::GetEngagementRequest figures;
  figures.set_scope("global");
  figures.set_period(v1::MONTH);
  v1::GetEngagementResponse before;
  auto analytics = v1::AnalyticsService::NewStub(channel_);
  ASSERT_TRUE(
      analytics->GetEngagement(As(portal_).get(), figures, &before).ok());

  v1::EraseUserResponse report;
  grpc::Status status = Erase("zoya", &report);
  EXPECT_EQ(ErrorReasonOf(status), "USER_ACTIVE");
  status = Erase("nobody", &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::DeactivateUserResponse left;
  ASSERT_TRUE(
      Deactivate("zoya", v1::KEEP_BALANCE, v1::LEAVE_ALL_BOARDS, &left).ok());
  ASSERT_TRUE(Erase("zoya", &report).ok());
  EXPECT_TRUE(report.display_name_erased());
  EXPECT_EQ(report.ledger_texts_erased(), 2);  // the grant and the refund
  EXPECT_EQ(report.redemption_texts_erased(), 1);
  EXPECT_GT(report.board_entries_erased(), 0);
  EXPECT_EQ(report.groups_erased(), 1);
  EXPECT_TRUE(report.manager_erased());
  EXPECT_EQ(report.reports_unlinked(), 1);
  // Three awards, the grant, the redemption placed and rejected.
  EXPECT_EQ(report.notifications_erased(), 6);

  EXPECT_FALSE(absl::StrContains(EverythingInRedis(), name));
  EXPECT_FALSE(absl::StrContains(EverythingInRedis(), "Ptichkina"));
  EXPECT_EQ(BalanceOf("zoya").balance(), 37);
  ExpectLedgerAddsUp("zoya");
  v1::GetEngagementResponse after;
  ASSERT_TRUE(
      analytics->GetEngagement(As(portal_).get(), figures, &after).ok());
  EXPECT_EQ(after.engagement().figures().points_awarded(),
            before.engagement().figures().points_awarded());
  EXPECT_EQ(after.engagement().figures().events(),
            before.engagement().figures().events());

  // Retracting one of their events takes the points back but puts them on
  // no board again.
  v1::RetractEventRequest retract;
  retract.set_event_id("post-1");
  v1::RetractEventResponse retracted;
  ASSERT_TRUE(
      acme_->events->RetractEvent(As(portal_).get(), retract, &retracted).ok());
  EXPECT_EQ(BalanceOf("zoya").balance(), 27);
  ExpectLedgerAddsUp("zoya");
  EXPECT_FALSE(OnAnyBoard("zoya"));

  // Once is enough; the person cannot come back under the same id.
  ASSERT_TRUE(Erase("zoya", &report).ok());
  EXPECT_TRUE(report.already_erased());
  status = Sync("zoya", "", name);
  EXPECT_EQ(ErrorReasonOf(status), "USER_ERASED");
  v1::ListAuditEventsRequest list;
  list.set_kind("USER_ERASED");
  v1::ListAuditEventsResponse trail;
  ASSERT_TRUE(v1::AuditService::NewStub(channel_)
                  ->ListAuditEvents(As(admin_).get(), list, &trail)
                  .ok());
  ASSERT_EQ(trail.events_size(), 1);
  EXPECT_EQ(trail.events(0).target(), "zoya");
}

}  // namespace
}  // namespace plaudit::testing
