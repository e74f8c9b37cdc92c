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
  const v1::Growth growth =
      ComputeGrowth(Figures(12, 30, 0), Figures(10, 40, 0));
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

v1::EngagementFigures Events(int64_t events) {
  v1::EngagementFigures figures;
  figures.set_events(events);
  figures.set_active_users(100);
  return figures;
}

TEST(SeriesTest, ReadsTheBucketBeforeTheFirstForItsGrowth) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time now = absl::FromCivil(absl::CivilDay(2026, 12, 2), utc);
  const PeriodBucket today = BucketAt(Period::kDay, now, utc);
  const std::vector<PeriodBucket> buckets =
      SeriesBuckets(today, 3, Retention{}, utc, now);
  ASSERT_EQ(buckets.size(), 4u);
  EXPECT_EQ(buckets.front().id, "2026-11-29");
  EXPECT_EQ(buckets.back().id, "2026-12-02");

  const std::vector<v1::Engagement> series =
      AssembleSeries("global", v1::DAY, buckets,
                     {Events(10), Events(20), Events(10), Events(15)}, 3, 5);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].bucket(), "2026-11-30");
  EXPECT_DOUBLE_EQ(series[0].growth().events(), 100.0);  // over 11-29
  EXPECT_DOUBLE_EQ(series[1].growth().events(), -50.0);
  EXPECT_DOUBLE_EQ(series[2].growth().events(), 50.0);
}

TEST(SeriesTest, BucketsBeyondRetentionAreLeftOut) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time now = absl::FromCivil(absl::CivilDay(2026, 12, 2), utc);
  Retention retention;
  retention.days = 1;  // today and yesterday readable
  const std::vector<PeriodBucket> buckets =
      SeriesBuckets(BucketAt(Period::kDay, now, utc), 5, retention, utc, now);
  ASSERT_EQ(buckets.size(), 2u);
  const std::vector<v1::Engagement> series = AssembleSeries(
      "global", v1::DAY, buckets, {Events(10), Events(20)}, 5, 5);
  ASSERT_EQ(series.size(), 2u);  // the oldest has nothing to grow from
  EXPECT_EQ(series[0].bucket(), "2026-12-01");
  EXPECT_FALSE(series[0].growth().has_events());
  EXPECT_DOUBLE_EQ(series[1].growth().events(), 100.0);
}

TEST(AssembleTeamTest, BestFirstThenQuietOnes) {
  std::vector<v1::TeamMember> members(4);
  const std::pair<const char*, int64_t> given[] = {
      {"zoe", 0}, {"bob", 30}, {"ann", 30}, {"cai", -5}};
  for (int i = 0; i < 4; ++i) {
    members[i].set_user_id(given[i].first);
    members[i].set_points(given[i].second);
  }
  const v1::TeamFigures team =
      AssembleTeam("boss", v1::WEEK, "2026-W49", std::move(members));
  ASSERT_EQ(team.members_size(), 4);
  EXPECT_EQ(team.members(0).user_id(), "ann");  // ties by user id
  EXPECT_EQ(team.members(1).user_id(), "bob");
  EXPECT_EQ(team.members(2).user_id(), "zoe");
  EXPECT_EQ(team.members(3).user_id(), "cai");  // a retraction: negative
  EXPECT_EQ(team.points(), 55);
  EXPECT_EQ(team.active_members(), 3);
  ASSERT_EQ(team.quiet_user_ids_size(), 1);
  EXPECT_EQ(team.quiet_user_ids(0), "zoe");
  EXPECT_EQ(team.bucket(), "2026-W49");
}

}  // namespace
}  // namespace plaudit
