// RewardService against a real redis-server: redemptions never overspend
// points or stock, under concurrency and retries; HR's workflow refunds
// exactly once.
#include <atomic>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

template <typename Fn>
void RunConcurrently(int n, Fn fn) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back([&fn, i] { fn(i); });
  for (auto& thread : threads) thread.join();
}

class RewardsTest : public PlauditTest {
 protected:
  v1::Reward MakeReward(const std::string& id, int64_t cost) {
    v1::Reward reward;
    reward.set_reward_id(id);
    reward.set_title(absl::StrCat("Reward ", id));
    reward.set_cost(cost);
    return reward;
  }

  void CreateReward(const v1::Reward& reward) {
    v1::CreateRewardRequest request;
    *request.mutable_reward() = reward;
    v1::CreateRewardResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        client_->rewards->CreateReward(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void Grant(const std::string& user, int64_t points) {
    v1::AdjustBalanceRequest request;
    request.set_user_id(user);
    request.set_delta(points);
    request.set_reason("test");
    request.set_request_id(absl::StrCat("grant-", user, "-", ++grants_));
    v1::AdjustBalanceResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->accounts->AdjustBalance(&context, request, &response).ok());
  }

  grpc::Status Redeem(const std::string& user, const std::string& reward,
                      const std::string& request_id, v1::RedeemResponse* response,
                      int quantity = 1) {
    v1::RedeemRequest request;
    request.set_user_id(user);
    request.set_reward_id(reward);
    request.set_quantity(quantity);
    request.set_request_id(request_id);
    grpc::ClientContext context;
    return client_->rewards->Redeem(&context, request, response);
  }

  v1::Reward Get(const std::string& reward_id) {
    v1::GetRewardRequest request;
    request.set_reward_id(reward_id);
    v1::GetRewardResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(client_->rewards->GetReward(&context, request, &response).ok());
    return response.reward();
  }

  grpc::Status Approve(const std::string& id, v1::Redemption* out = nullptr) {
    v1::ApproveRedemptionRequest request;
    request.set_redemption_id(id);
    v1::ApproveRedemptionResponse response;
    grpc::ClientContext context;
    const auto status = client_->rewards->ApproveRedemption(&context, request, &response);
    if (out) *out = response.redemption();
    return status;
  }

  grpc::Status Reject(const std::string& id) {
    v1::RejectRedemptionRequest request;
    request.set_redemption_id(id);
    request.set_reason("not this quarter");
    v1::RejectRedemptionResponse response;
    grpc::ClientContext context;
    return client_->rewards->RejectRedemption(&context, request, &response);
  }

  grpc::Status Cancel(const std::string& id, const std::string& user) {
    v1::CancelRedemptionRequest request;
    request.set_redemption_id(id);
    request.set_user_id(user);
    v1::CancelRedemptionResponse response;
    grpc::ClientContext context;
    return client_->rewards->CancelRedemption(&context, request, &response);
  }

  grpc::Status Fulfil(const std::string& id) {
    v1::FulfillRedemptionRequest request;
    request.set_redemption_id(id);
    v1::FulfillRedemptionResponse response;
    grpc::ClientContext context;
    return client_->rewards->FulfillRedemption(&context, request, &response);
  }

  int Count(const std::vector<v1::LedgerEntry>& ledger, v1::LedgerEntry::Type type) {
    return std::count_if(ledger.begin(), ledger.end(),
                         [&](const auto& e) { return e.type() == type; });
  }

  int grants_ = 0;
};

TEST_F(RewardsTest, FiftyRaceForStockOfTenAndExactlyTenWin) {
  v1::Reward reward = MakeReward("hoodie", 300);
  reward.set_stock(10);
  CreateReward(reward);
  for (int i = 0; i < 50; ++i) Grant(absl::StrCat("u", i), 1000);
  std::atomic<int> won{0}, refused{0};
  RunConcurrently(50, [&](int i) {
    v1::RedeemResponse response;
    const grpc::Status status =
        Redeem(absl::StrCat("u", i), "hoodie", absl::StrCat("req-", i), &response);
    if (status.ok()) ++won;
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
        status.error_message().find("out of stock") != std::string::npos) {
      ++refused;
    }
  });
  EXPECT_EQ(won.load(), 10);
  EXPECT_EQ(refused.load(), 40);
  EXPECT_EQ(Get("hoodie").stock(), 0);
  int debited = 0;
  for (int i = 0; i < 50; ++i) {
    const int64_t balance = Balance(absl::StrCat("u", i)).balance();
    EXPECT_TRUE(balance == 1000 || balance == 700) << balance;
    debited += balance == 700;
  }
  EXPECT_EQ(debited, 10);
}

TEST_F(RewardsTest, OneUserWithPointsForThreeWinsThreeOfTen) {
  CreateReward(MakeReward("gift", 100));
  Grant("ann", 300);
  std::atomic<int> won{0}, insufficient{0};
  RunConcurrently(10, [&](int i) {
    v1::RedeemResponse response;
    const grpc::Status status = Redeem("ann", "gift", absl::StrCat("r", i), &response);
    if (status.ok()) ++won;
    if (status.error_message().find("insufficient balance") != std::string::npos) {
      ++insufficient;
    }
  });
  EXPECT_EQ(won.load(), 3);
  EXPECT_EQ(insufficient.load(), 7);
  EXPECT_EQ(Balance("ann").balance(), 0);
  EXPECT_EQ(Balance("ann").lifetime_earned(), 300);  // redeeming is not losing
}

TEST_F(RewardsTest, TheSameRequestIdTwentyTimesIsOneRedemption) {
  CreateReward(MakeReward("gift", 100));
  Grant("ann", 1000);
  std::vector<std::string> ids(20);
  RunConcurrently(20, [&](int i) {
    v1::RedeemResponse response;
    if (Redeem("ann", "gift", "once", &response).ok()) {
      ids[i] = response.redemption().redemption_id();
    }
  });
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_FALSE(ids[0].empty());
  EXPECT_EQ(Balance("ann").balance(), 900);
  EXPECT_EQ(Count(Ledger("ann"), v1::LedgerEntry::REDEEM), 1);
  v1::RedeemResponse response;
  EXPECT_EQ(Redeem("ann", "gift", "once", &response, 2).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(RewardsTest, RejectRacingApproveRefundsExactlyOnce) {
  v1::Reward reward = MakeReward("day-off", 100);
  reward.set_requires_approval(true);
  reward.set_stock(20);
  CreateReward(reward);
  Grant("ann", 2000);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    v1::RedeemResponse response;
    ASSERT_TRUE(Redeem("ann", "day-off", absl::StrCat("d", i), &response).ok());
    EXPECT_EQ(response.redemption().status(), v1::Redemption::PENDING);
    ids.push_back(response.redemption().redemption_id());
  }
  ASSERT_EQ(Balance("ann").balance(), 0);
  // Each redemption: an approve and two rejects at once.
  RunConcurrently(60, [&](int i) {
    const std::string& id = ids[i / 3];
    if (i % 3 == 0) {
      Approve(id).ok();
    } else {
      Reject(id).ok();
    }
  });
  const auto ledger = Ledger("ann");
  EXPECT_EQ(Count(ledger, v1::LedgerEntry::REFUND), 20);
  EXPECT_EQ(Balance("ann").balance(), 2000);
  EXPECT_EQ(Get("day-off").stock(), 20);
  for (const auto& id : ids) {
    v1::GetRedemptionRequest request;
    request.set_redemption_id(id);
    v1::GetRedemptionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rewards->GetRedemption(&context, request, &response).ok());
    EXPECT_EQ(response.redemption().status(), v1::Redemption::REJECTED);
    EXPECT_EQ(response.redemption().reason(), "not this quarter");
  }
}

TEST_F(RewardsTest, CancelRacingApproveRefundsOnlyWhatWasCancelled) {
  v1::Reward reward = MakeReward("day-off", 100);
  reward.set_requires_approval(true);
  CreateReward(reward);
  Grant("ann", 2000);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    v1::RedeemResponse response;
    ASSERT_TRUE(Redeem("ann", "day-off", absl::StrCat("d", i), &response).ok());
    ids.push_back(response.redemption().redemption_id());
  }
  std::atomic<int> cancelled{0}, approved{0};
  RunConcurrently(40, [&](int i) {
    const std::string& id = ids[i / 2];
    if (i % 2 == 0) {
      if (Approve(id).ok()) ++approved;
    } else {
      if (Cancel(id, "ann").ok()) ++cancelled;
    }
  });
  EXPECT_EQ(cancelled.load() + approved.load(), 20);
  EXPECT_EQ(Count(Ledger("ann"), v1::LedgerEntry::REFUND), cancelled.load());
  EXPECT_EQ(Balance("ann").balance(), 100 * cancelled.load());
}

TEST_F(RewardsTest, WorkflowAllowsOnlyValidTransitions) {
  CreateReward(MakeReward("hoodie", 100));  // no approval needed
  v1::Reward day_off = MakeReward("day-off", 100);
  day_off.set_requires_approval(true);
  CreateReward(day_off);
  Grant("ann", 1000);
  v1::RedeemResponse hoodie;
  ASSERT_TRUE(Redeem("ann", "hoodie", "h1", &hoodie).ok());
  EXPECT_EQ(hoodie.redemption().status(), v1::Redemption::APPROVED);
  EXPECT_EQ(hoodie.balance(), 900);
  const std::string id = hoodie.redemption().redemption_id();
  EXPECT_EQ(Approve(id).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Cancel(id, "ann").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Fulfil(id).ok());
  EXPECT_EQ(Reject(id).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::RedeemResponse pending;
  ASSERT_TRUE(Redeem("ann", "day-off", "d1", &pending).ok());
  const std::string pid = pending.redemption().redemption_id();
  EXPECT_EQ(Fulfil(pid).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Cancel(pid, "bob").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Reject(pid).ok());
  const grpc::Status fulfil_rejected = Fulfil(pid);
  EXPECT_EQ(fulfil_rejected.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(fulfil_rejected.error_message().find("REJECTED"), std::string::npos);
  EXPECT_EQ(Approve("999").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Balance("ann").balance(), 900);
}

TEST_F(RewardsTest, RefusalsSayWhyAndDebitNothing) {
  v1::Reward limited = MakeReward("gift", 10);
  limited.mutable_per_user_limit()->set_max_quantity(2);
  limited.mutable_per_user_limit()->set_period(v1::MONTH);
  CreateReward(limited);
  v1::Reward kazan = MakeReward("kazan-dinner", 10);
  kazan.set_group("office:kazan");
  CreateReward(kazan);
  v1::Reward inactive = MakeReward("retired", 10);
  inactive.set_active(false);
  CreateReward(inactive);
  UpsertUser("ann", {"office:moscow"});
  Grant("ann", 1000);
  const std::string before = DataDigest();

  v1::RedeemResponse response;
  auto refused = [&](const std::string& reward, const std::string& why,
                     int quantity, const std::string& reason) {
    const grpc::Status status =
        Redeem("ann", reward, absl::StrCat("x-", reward, quantity), &response, quantity);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << reward;
    EXPECT_EQ(ErrorReasonOf(status), reason) << reward;
    EXPECT_NE(status.error_message().find(why), std::string::npos)
        << status.error_message();
    EXPECT_EQ(DataDigest(), before) << reward << " changed something";
  };
  refused("gift", "per-user limit", 3, "LIMIT_REACHED");
  refused("kazan-dinner", "office:kazan", 1, "NOT_IN_GROUP");
  refused("retired", "not active", 1, "REWARD_INACTIVE");
  CreateReward(MakeReward("car", 1'000'000));
  const std::string with_car = DataDigest();
  const grpc::Status poor = Redeem("ann", "car", "car-1", &response);
  EXPECT_EQ(poor.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(poor.error_message().find("insufficient balance"), std::string::npos);
  EXPECT_EQ(ErrorReasonOf(poor), "INSUFFICIENT_BALANCE");
  EXPECT_EQ(DataDigest(), with_car);
  const grpc::Status unknown = Redeem("ann", "nope", "n-1", &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ErrorReasonOf(unknown), "REWARD_NOT_FOUND");
  EXPECT_EQ(Balance("ann").balance(), 1000);
}

TEST_F(RewardsTest, PerUserLimitCountsPerPeriodAndRejectionGivesItBack) {
  v1::Reward gift = MakeReward("gift", 10);
  gift.mutable_per_user_limit()->set_max_quantity(2);
  gift.mutable_per_user_limit()->set_period(v1::MONTH);
  gift.set_requires_approval(true);
  CreateReward(gift);
  Grant("ann", 1000);
  clock_->Set(absl::FromCivil(absl::CivilSecond(2026, 11, 10, 12, 0, 0),
                              absl::UTCTimeZone()));
  v1::RedeemResponse first, second, third;
  ASSERT_TRUE(Redeem("ann", "gift", "g1", &first).ok());
  ASSERT_TRUE(Redeem("ann", "gift", "g2", &second).ok());
  EXPECT_EQ(Redeem("ann", "gift", "g3", &third).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Reject(first.redemption().redemption_id()).ok());
  EXPECT_TRUE(Redeem("ann", "gift", "g4", &third).ok());
  // Next month, a fresh allowance.
  clock_->Set(absl::FromCivil(absl::CivilSecond(2026, 12, 2, 12, 0, 0),
                              absl::UTCTimeZone()));
  EXPECT_TRUE(Redeem("ann", "gift", "g5", &third).ok());
  EXPECT_TRUE(Redeem("ann", "gift", "g6", &third).ok());
  EXPECT_EQ(Redeem("ann", "gift", "g7", &third).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RewardsTest, CancellingGivesBackStockAndTheLimit) {
  v1::Reward lunch = MakeReward("lunch", 100);
  lunch.set_stock(1);
  lunch.set_requires_approval(true);
  lunch.mutable_per_user_limit()->set_max_quantity(1);
  lunch.mutable_per_user_limit()->set_period(v1::YEAR);
  CreateReward(lunch);
  Grant("ann", 1000);
  Grant("bob", 1000);
  v1::RedeemResponse response;
  ASSERT_TRUE(Redeem("ann", "lunch", "l1", &response).ok());
  const std::string id = response.redemption().redemption_id();
  EXPECT_EQ(Get("lunch").stock(), 0);
  EXPECT_EQ(Redeem("bob", "lunch", "l2", &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // out of stock
  ASSERT_TRUE(Cancel(id, "ann").ok());
  EXPECT_EQ(Cancel(id, "ann").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Get("lunch").stock(), 1);
  EXPECT_EQ(Balance("ann").balance(), 1000);
  // Her yearly allowance is back too.
  EXPECT_TRUE(Redeem("ann", "lunch", "l3", &response).ok());
}

TEST_F(RewardsTest, ArchivedRewardsCannotBeRedeemedOrChangedAndLeaveTheList) {
  CreateReward(MakeReward("hoodie", 100));
  CreateReward(MakeReward("mug", 50));
  Grant("ann", 1000);
  v1::ArchiveRewardRequest archive;
  archive.set_reward_id("mug");
  v1::ArchiveRewardResponse archived;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->rewards->ArchiveReward(&context, archive, &archived).ok());
  EXPECT_TRUE(archived.reward().archived());
  v1::RedeemResponse response;
  const grpc::Status status = Redeem("ann", "mug", "m1", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("archived"), std::string::npos);

  auto list = [&](bool all) {
    v1::ListRewardsRequest request;
    request.set_include_inactive(all);
    v1::ListRewardsResponse page;
    grpc::ClientContext list_context;
    EXPECT_TRUE(client_->rewards->ListRewards(&list_context, request, &page).ok());
    std::vector<std::string> ids;
    for (const auto& reward : page.rewards()) ids.push_back(reward.reward_id());
    return ids;
  };
  EXPECT_EQ(list(false), (std::vector<std::string>{"hoodie"}));
  EXPECT_EQ(list(true), (std::vector<std::string>{"hoodie", "mug"}));

  v1::UpdateRewardRequest update;
  update.mutable_reward()->set_reward_id("mug");
  update.mutable_reward()->set_cost(1);
  update.mutable_update_mask()->add_paths("cost");
  v1::UpdateRewardResponse updated;
  grpc::ClientContext update_context;
  EXPECT_EQ(client_->rewards->UpdateReward(&update_context, update, &updated)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RewardsTest, UpdateMaskRestocksWithoutTouchingTheRest) {
  v1::Reward hoodie = MakeReward("hoodie", 100);
  hoodie.set_stock(1);
  CreateReward(hoodie);
  Grant("ann", 1000);
  v1::RedeemResponse response;
  ASSERT_TRUE(Redeem("ann", "hoodie", "h1", &response).ok());
  EXPECT_EQ(Get("hoodie").stock(), 0);
  v1::UpdateRewardRequest update;
  update.mutable_reward()->set_reward_id("hoodie");
  update.mutable_reward()->set_stock(25);
  update.mutable_update_mask()->add_paths("stock");
  v1::UpdateRewardResponse updated;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->rewards->UpdateReward(&context, update, &updated).ok());
  EXPECT_EQ(updated.reward().stock(), 25);
  EXPECT_EQ(updated.reward().cost(), 100);
  EXPECT_EQ(updated.reward().title(), "Reward hoodie");
  ASSERT_TRUE(Redeem("ann", "hoodie", "h2", &response).ok());
  EXPECT_EQ(Get("hoodie").stock(), 24);
}

TEST_F(RewardsTest, HrQueueListsPendingNewestFirstAcrossPages) {
  v1::Reward day_off = MakeReward("day-off", 10);
  day_off.set_requires_approval(true);
  CreateReward(day_off);
  CreateReward(MakeReward("mug", 10));
  for (const char* user : {"ann", "bob"}) Grant(user, 1000);
  v1::RedeemResponse response;
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(Redeem(i % 2 ? "bob" : "ann", "day-off", absl::StrCat("d", i),
                       &response).ok());
    ASSERT_TRUE(Redeem("ann", "mug", absl::StrCat("m", i), &response).ok());
  }
  auto list = [&](const std::string& user, v1::Redemption::Status status) {
    v1::ListRedemptionsRequest request;
    request.set_user_id(user);
    request.set_status(status);
    request.set_page_size(2);
    std::vector<std::string> seen;
    do {
      v1::ListRedemptionsResponse page;
      grpc::ClientContext context;
      EXPECT_TRUE(client_->rewards->ListRedemptions(&context, request, &page).ok());
      for (const auto& r : page.redemptions()) {
        seen.push_back(absl::StrCat(r.user_id(), ":", r.reward_id()));
        EXPECT_TRUE(status == v1::Redemption::STATUS_UNSPECIFIED ||
                    r.status() == status);
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return seen;
  };
  const auto pending = list("", v1::Redemption::PENDING);
  EXPECT_EQ(pending, (std::vector<std::string>{"ann:day-off", "bob:day-off",
                                               "ann:day-off", "bob:day-off",
                                               "ann:day-off", "bob:day-off",
                                               "ann:day-off"}));
  EXPECT_EQ(list("ann", v1::Redemption::PENDING).size(), 4u);
  EXPECT_EQ(list("ann", v1::Redemption::APPROVED).size(), 7u);
  EXPECT_EQ(list("bob", v1::Redemption::STATUS_UNSPECIFIED).size(), 3u);
  EXPECT_EQ(list("", v1::Redemption::STATUS_UNSPECIFIED).size(), 14u);
}

TEST_F(RewardsTest, LedgerInvariantHoldsAfterARandomMix) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 40);
  v1::Reward mug = MakeReward("mug", 30);
  mug.set_stock(200);
  CreateReward(mug);
  v1::Reward day_off = MakeReward("day-off", 50);
  day_off.set_requires_approval(true);
  CreateReward(day_off);
  constexpr int kUsers = 6;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(t);
      for (int i = 0; i < 150; ++i) {
        const std::string user = absl::StrCat("u", random() % kUsers);
        const std::string id = absl::StrCat("t", t, "-", i);
        v1::RedeemResponse redeemed;
        v1::EventOutcome outcome;
        grpc::Status status;
        switch (random() % 5) {
          case 0:
          case 1:
            status = Record(MakeEvent(id, "post.created", user), &outcome);
            break;
          case 2:
            status = Redeem(user, random() % 2 ? "mug" : "day-off", id, &redeemed);
            if (status.ok() && redeemed.redemption().status() == v1::Redemption::PENDING) {
              status = random() % 2 ? Reject(redeemed.redemption().redemption_id())
                                    : Cancel(redeemed.redemption().redemption_id(), user);
            }
            break;
          case 3: {
            v1::AdjustBalanceRequest request;
            request.set_user_id(user);
            request.set_delta(static_cast<int64_t>(random() % 61) - 30);
            request.set_reason("mix");
            request.set_request_id(id);
            v1::AdjustBalanceResponse response;
            grpc::ClientContext context;
            status = client_->accounts->AdjustBalance(&context, request, &response);
            break;
          }
          default:
            status = Redeem(user, "mug", id, &redeemed, 1 + random() % 3);
        }
        if (!status.ok() &&
            status.error_code() != grpc::StatusCode::FAILED_PRECONDITION &&
            status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  int redeems = 0, refunds = 0;
  for (int u = 0; u < kUsers; ++u) {
    const std::string user = absl::StrCat("u", u);
    const auto ledger = Ledger(user, 1000);
    int64_t sum = 0;
    for (const auto& entry : ledger) sum += entry.delta();
    const v1::Balance balance = Balance(user);
    EXPECT_EQ(balance.balance(), sum) << user;
    EXPECT_GE(balance.balance(), 0) << user;
    redeems += Count(ledger, v1::LedgerEntry::REDEEM);
    refunds += Count(ledger, v1::LedgerEntry::REFUND);
  }
  EXPECT_GT(redeems, 20);
  EXPECT_GT(refunds, 5);
}

TEST_F(RewardsTest, BadRequestsAreInvalidArguments) {
  v1::Reward free = MakeReward("free", 0);
  v1::CreateRewardRequest create;
  *create.mutable_reward() = free;
  v1::CreateRewardResponse created;
  grpc::ClientContext context;
  const grpc::Status zero_cost =
      client_->rewards->CreateReward(&context, create, &created);
  EXPECT_EQ(zero_cost.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(zero_cost.error_message().find("reward.cost"), std::string::npos);
  CreateReward(MakeReward("mug", 10));
  v1::RedeemResponse response;
  for (int quantity : {0, -1, 101, 1'000'000}) {
    const grpc::Status status = Redeem("ann", "mug", "q", &response, quantity);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << quantity;
    EXPECT_NE(status.error_message().find("quantity"), std::string::npos);
  }
  EXPECT_EQ(Reject("1").error_code(), grpc::StatusCode::NOT_FOUND);
  v1::RejectRedemptionRequest reject;
  reject.set_redemption_id("1");
  v1::RejectRedemptionResponse rejected;
  grpc::ClientContext reject_context;
  EXPECT_EQ(client_->rewards->RejectRedemption(&reject_context, reject, &rejected)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // no reason
  EXPECT_EQ(Approve("abc").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace plaudit::testing
