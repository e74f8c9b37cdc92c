#include "services/rpc/request_budget.h"

#include <vector>

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(RequestBudgetTest, RefusesWhatDoesNotFitAndGivesBack) {
  std::vector<int64_t> seen;
  RequestBudget budget(100, [&](int64_t in_use, int64_t) { seen.push_back(in_use); });
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

TEST(RequestBudgetTest, WaitersGoInOrderWhenRoomIsMade) {
  RequestBudget budget(100);
  std::vector<int> order;
  EXPECT_TRUE(budget.TakeOrWait(90, [] { FAIL() << "took at once"; }));
  EXPECT_FALSE(budget.TakeOrWait(50, [&] { order.push_back(1); }));
  EXPECT_FALSE(budget.TakeOrWait(10, [&] { order.push_back(2); }));
  // A newcomer does not overtake those waiting, even if it would fit.
  EXPECT_FALSE(budget.TryTake(5));
  budget.Give(90);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(budget.in_use(), 60);
}

TEST(BudgetChargeTest, GivesBackOnceWhenDestroyedOrReset) {
  RequestBudget budget(100);
  {
    ASSERT_TRUE(budget.TryTake(30));
    BudgetCharge charge(&budget, 30);
    BudgetCharge moved = std::move(charge);
    charge.Reset();  // moved from: nothing
    EXPECT_EQ(budget.in_use(), 30);
  }
  EXPECT_EQ(budget.in_use(), 0);
}

}  // namespace
}  // namespace plaudit
