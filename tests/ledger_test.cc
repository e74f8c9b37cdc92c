// AccountService and the ledger invariant: a balance always equals the sum
// of its ledger entries, whatever mix of awards, retractions and adjustments.
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

using LedgerTest = PlauditTest;

grpc::Status Adjust(Client& client, const std::string& user, int64_t delta,
                    const std::string& request_id,
                    v1::AdjustBalanceResponse* response,
                    const std::string& reason = "quarterly bonus") {
  v1::AdjustBalanceRequest request;
  request.set_user_id(user);
  request.set_delta(delta);
  request.set_reason(reason);
  request.set_request_id(request_id);
  grpc::ClientContext context;
  return client.accounts->AdjustBalance(&context, request, response);
}

TEST_F(LedgerTest, AdjustmentsAreIdempotentAndNeverGoBelowZero) {
  v1::AdjustBalanceResponse response;
  ASSERT_TRUE(Adjust(*client_, "ann", 100, "grant-1", &response).ok());
  EXPECT_EQ(response.balance().balance(), 100);
  EXPECT_EQ(response.entry().type(), v1::LedgerEntry::ADJUST);
  EXPECT_EQ(response.entry().reason(), "quarterly bonus");
  EXPECT_FALSE(response.duplicate());
  const std::string first_entry = response.entry().entry_id();

  // The same request_id, 20 times at once: one entry, one credit.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      v1::AdjustBalanceResponse again;
      if (!Adjust(*client_, "ann", 100, "grant-1", &again).ok() ||
          again.entry().entry_id() != first_entry || !again.duplicate()) {
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Balance("ann").balance(), 100);

  // A reused request_id with other arguments is refused, with the code a
  // reused event_id gets.
  const grpc::Status reused = Adjust(*client_, "ann", 5, "grant-1", &response);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReasonOf(reused), "ID_REUSED");
  // Below zero is refused and changes nothing.
  const grpc::Status overdraft = Adjust(*client_, "ann", -101, "fine-1", &response);
  EXPECT_EQ(overdraft.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(overdraft.error_message().find("below zero"), std::string::npos);
  EXPECT_EQ(ErrorReasonOf(overdraft), "INSUFFICIENT_BALANCE");
  EXPECT_EQ(Balance("ann").balance(), 100);
  ASSERT_TRUE(Adjust(*client_, "ann", -100, "fine-2", &response).ok());
  EXPECT_EQ(Balance("ann").balance(), 0);
  EXPECT_EQ(Ledger("ann").size(), 2u);
}

TEST_F(LedgerTest, PagesAreNewestFirstAndNeverSkipOrRepeat) {
  CreateRule("comment", "comment.created", v1::Rule::ACTOR, 3);
  for (int i = 0; i < 25; ++i) {
    Record(MakeEvent(absl::StrCat("c", i), "comment.created", "ann"));
  }
  const auto ledger = Ledger("ann", /*page_size=*/7);
  ASSERT_EQ(ledger.size(), 25u);
  for (size_t i = 0; i < ledger.size(); ++i) {
    EXPECT_EQ(ledger[i].reference(), absl::StrCat("event:c", 24 - i));
    EXPECT_EQ(ledger[i].balance_after(), 3 * (25 - static_cast<int>(i)));
  }
}

TEST_F(LedgerTest, RandomWorkloadKeepsEveryBalanceEqualToItsLedger) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  CreateRule("like", "like", v1::Rule::SUBJECT, 2, /*daily_limit=*/30, true);
  CreateRule("like-given", "like", v1::Rule::ACTOR, 1, /*daily_limit=*/20);
  CreateRule("course", "training.completed", v1::Rule::ACTOR, 50, 0, true);
  CreateRule("flagged", "post.flagged", v1::Rule::ACTOR, -5);

  constexpr int kUsers = 20;
  constexpr int kThreads = 8;
  constexpr int kEventsPerThread = 400;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(t);
      auto user = [&] { return absl::StrCat("u", random() % kUsers); };
      static const char* kActions[] = {"post.created", "like",
                                       "training.completed", "post.flagged"};
      for (int i = 0; i < kEventsPerThread; ++i) {
        const std::string id = absl::StrCat("t", t, "-", i);
        const int kind = random() % 10;
        grpc::Status status;
        if (kind == 0 && i > 0) {  // retract one of our earlier events
          v1::RetractEventRequest request;
          request.set_event_id(absl::StrCat("t", t, "-", random() % i));
          v1::RetractEventResponse response;
          grpc::ClientContext context;
          status = client_->events->RetractEvent(&context, request, &response);
        } else if (kind == 1) {
          v1::AdjustBalanceResponse response;
          status = Adjust(*client_, user(),
                          static_cast<int64_t>(random() % 41) - 20, id,
                          &response);
          if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
              status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
            status = grpc::Status::OK;  // below zero, or a delta of 0
          }
        } else {
          v1::EventOutcome outcome;
          status = Record(MakeEvent(id, kActions[random() % 4], user(), user(),
                                    absl::StrCat("obj", random() % 50)),
                          &outcome);
        }
        if (!status.ok() && status.error_code() != grpc::StatusCode::NOT_FOUND) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  int64_t total_entries = 0;
  for (int u = 0; u < kUsers; ++u) {
    const std::string user = absl::StrCat("u", u);
    const auto ledger = Ledger(user, 1000);
    int64_t sum = 0;
    for (const auto& entry : ledger) sum += entry.delta();
    EXPECT_EQ(Balance(user).balance(), sum) << user;
    if (!ledger.empty()) {
      EXPECT_EQ(ledger.front().balance_after(), sum) << user;
    }
    total_entries += ledger.size();
  }
  EXPECT_GT(total_entries, 1000);
}

}  // namespace
}  // namespace plaudit::testing
