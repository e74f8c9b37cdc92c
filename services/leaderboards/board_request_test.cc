#include "services/leaderboards/board_request.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(PercentileTest, FirstIsAheadOfEveryoneLastOnlyOfThemselves) {
  EXPECT_DOUBLE_EQ(Percentile(1, 4), 100.0);
  EXPECT_DOUBLE_EQ(Percentile(2, 4), 75.0);
  EXPECT_DOUBLE_EQ(Percentile(4, 4), 25.0);
  EXPECT_DOUBLE_EQ(Percentile(1, 1), 100.0);
  EXPECT_DOUBLE_EQ(Percentile(1, 0), 0.0);  // nobody on the board
}

TEST(ScopeTest, GlobalAndGroupsOnly) {
  EXPECT_TRUE(ValidateScope("global").ok());
  EXPECT_TRUE(ValidateScope("dept:sales").ok());
  EXPECT_FALSE(ValidateScope("").ok());
  EXPECT_FALSE(ValidateScope("sales team").ok());
}

}  // namespace
}  // namespace plaudit
