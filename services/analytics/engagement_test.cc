#include "services/analytics/engagement.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

v1::EngagementFigures Figures(int64_t active, int64_t events, int64_t points) {
  v1::EngagementFigures f;
  f.set_active_users(active);
  f.set_events(events);
  f.set_points_awarded(points);
  return f;
}

TEST(GrowthTest, PercentChangeAndNothingAgainstZero) {
  const v1::Growth growth = ComputeGrowth(Figures(12, 30, 0), Figures(10, 40, 0));
  EXPECT_DOUBLE_EQ(growth.active_users(), 20.0);
  EXPECT_DOUBLE_EQ(growth.events(), -25.0);
  EXPECT_FALSE(growth.has_points_awarded());
  EXPECT_FALSE(growth.has_participants());
}

TEST(WithholdTest, SmallGroupsAreWithheldButNeverTheWholeCompany) {
  EXPECT_TRUE(ShouldWithhold("dept:legal", Figures(4, 50, 10), 5));
  EXPECT_FALSE(ShouldWithhold("dept:legal", Figures(5, 50, 10), 5));
  EXPECT_FALSE(ShouldWithhold("global", Figures(1, 1, 1), 5));
}

TEST(ComposeTest, WithheldBucketsShowNoFigures) {
  v1::Engagement small;
  ComposeEngagement("team:7", Figures(3, 9, 9), Figures(8, 9, 9), 5, &small);
  EXPECT_TRUE(small.withheld());
  EXPECT_FALSE(small.has_figures());
  EXPECT_FALSE(small.has_previous());

  v1::Engagement grown;
  ComposeEngagement("team:7", Figures(8, 9, 9), Figures(2, 3, 3), 5, &grown);
  EXPECT_FALSE(grown.withheld());
  EXPECT_EQ(grown.figures().active_users(), 8);
  EXPECT_FALSE(grown.has_previous());  // the previous bucket was too small
  EXPECT_FALSE(grown.has_growth());
}

}  // namespace
}  // namespace plaudit
