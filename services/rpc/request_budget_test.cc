#include "services/rpc/request_budget.h"

#include <thread>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(RequestBudgetTest, RefusesWhatDoesNotFitAndGivesBack) {
  std::vector<int64_t> seen;
  RequestBudget budget(
      100, [&](int64_t in_use, int64_t) { seen.push_back(in_use); });
  EXPECT_TRUE(budget.TryTake(60));
  EXPECT_FALSE(budget.TryTake(50));
  EXPECT_TRUE(budget.TryTake(40));
  EXPECT_EQ(budget.in_use(), 100);
  budget.Give(60);
  budget.Give(40);
  EXPECT_EQ(budget.in_use(), 0);
  EXPECT_EQ(budget.peak(), 100);
  EXPECT_EQ(seen, (std::vector<int64_t>{60, 100, 40, 0}));
  // Larger than the whole budget: only alone.
  EXPECT_TRUE(budget.TryTake(500));
  EXPECT_FALSE(budget.TryTake(1));
  budget.Give(500);
}

TEST(RequestBudgetTest, StreamsWaitInOrderOnTheBudgetsOwnThread) {
  RequestBudget budget(100);
  std::vector<int> order;
  absl::BlockingCounter woken(2);
  const std::thread::id giver = std::this_thread::get_id();
  auto ready = [&](int n) {
    return [&, n] {
      EXPECT_NE(std::this_thread::get_id(), giver);
      order.push_back(n);
      woken.DecrementCount();
    };
  };
  EXPECT_TRUE(budget.TakeOrWait(70, [] { FAIL() << "took at once"; }));
  EXPECT_FALSE(budget.TakeOrWait(50, ready(1)));
  EXPECT_FALSE(budget.TakeOrWait(10, ready(2)));  // fits, but does not overtake
  budget.Give(70);
  woken.Wait();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(budget.in_use(), 60);
}

TEST(RequestBudgetTest, StreamsLeaveAQuarterForUnaryCalls) {
  RequestBudget budget(100);
  EXPECT_TRUE(budget.TakeOrWait(75, [] {}));
  absl::Notification ran;
  EXPECT_FALSE(budget.TakeOrWait(1, [&] { ran.Notify(); }));
  // However many streams wait, a unary call still finds room.
  EXPECT_TRUE(budget.TryTake(25));
  EXPECT_FALSE(budget.TryTake(1));
  budget.Give(25);
  budget.Give(75);
  ran.WaitForNotification();
  EXPECT_EQ(budget.in_use(), 1);
}

TEST(BudgetChargeTest, GivesBackOnceWhenDestroyedResizedOrReset) {
  RequestBudget budget(100);
  {
    ASSERT_TRUE(budget.TryTake(30));
    BudgetCharge charge(&budget, 30);
    charge.Resize(120);  // an answer outgrew its request: over the limit
    EXPECT_EQ(budget.in_use(), 120);
    charge.Resize(10);
    BudgetCharge moved = std::move(charge);
    charge.Reset();  // moved from: nothing
    EXPECT_EQ(budget.in_use(), 10);
  }
  EXPECT_EQ(budget.in_use(), 0);
}

}  // namespace
}  // namespace plaudit
