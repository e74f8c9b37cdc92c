// AnalyticsService after a scripted month of activity across two
// departments: figures equal those computed here from the same script
// (active users within HyperLogLog's error, exact counts otherwise).
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

absl::Time Moscow(int y, int mo, int d, int h) {
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Moscow", &zone);
  return absl::FromCivil(absl::CivilHour(y, mo, d, h), zone);
}

struct Expected {
  std::set<std::string> active;
  std::map<std::string, int64_t> events_by_action;
  int64_t events = 0;
  int64_t points = 0;
  int64_t redeemed = 0;
  std::set<std::string> participants;
};

class AnalyticsTest : public PlauditTest {
 protected:
  grpc::Status Engagement(const std::string& scope, v1::Period period,
                          const std::string& bucket, v1::Engagement* out) {
    v1::GetEngagementRequest request;
    request.set_scope(scope);
    request.set_period(period);
    request.set_bucket(bucket);
    v1::GetEngagementResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        client_->analytics->GetEngagement(&context, request, &response);
    *out = response.engagement();
    return status;
  }

  void ExpectFigures(const v1::EngagementFigures& f, const Expected& e,
                     const std::string& what) {
    EXPECT_NEAR(f.active_users(), static_cast<double>(e.active.size()),
                0.02 * e.active.size() + 1) << what;
    EXPECT_EQ(f.events(), e.events) << what;
    EXPECT_EQ(f.points_awarded(), e.points) << what;
    EXPECT_EQ(f.points_redeemed(), e.redeemed) << what;
    EXPECT_EQ(f.participants(), static_cast<int64_t>(e.participants.size())) << what;
    for (const auto& [action, count] : e.events_by_action) {
      EXPECT_EQ(f.events_by_action().at(action), count) << what << " " << action;
    }
    EXPECT_EQ(f.events_by_action_size(),
              static_cast<int>(e.events_by_action.size())) << what;
  }
};

TEST_F(AnalyticsTest, AScriptedMonthAcrossTwoDepartments) {
  clock_->Set(Moscow(2026, 11, 30, 12));
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  CreateRule("comment", "comment.created", v1::Rule::ACTOR, 3);
  CreateRule("like", "like", v1::Rule::SUBJECT, 2);
  v1::CreateRewardRequest reward;
  reward.mutable_reward()->set_reward_id("mug");
  reward.mutable_reward()->set_title("Mug");
  reward.mutable_reward()->set_cost(20);
  v1::CreateRewardResponse created;
  grpc::ClientContext reward_context;
  ASSERT_TRUE(client_->rewards->CreateReward(&reward_context, reward, &created).ok());

  std::map<std::string, std::string> dept;  // user -> department
  for (int i = 0; i < 30; ++i) dept[absl::StrCat("s", i)] = "dept:sales";
  for (int i = 0; i < 20; ++i) dept[absl::StrCat("e", i)] = "dept:eng";
  std::vector<std::string> users;
  for (const auto& [user, group] : dept) {
    UpsertUser(user, {group});
    users.push_back(user);
  }

  // Scope -> expected figures for November; October for growth.
  std::map<std::string, Expected> november, october, week48;
  std::mt19937 random(5);
  const std::vector<std::pair<std::string, int>> actions = {
      {"post.created", 10}, {"comment.created", 3}, {"like", 2}, {"poll.voted", 0}};
  int n = 0;
  auto act = [&](int month, int day, std::map<std::string, Expected>& expected) {
    const size_t a = random() % users.size();
    const std::string& actor = users[a];
    const auto& [action, points] = actions[random() % actions.size()];
    // A like is of someone else's post.
    const std::string subject =
        action == "like" ? users[(a + 1 + random() % (users.size() - 1)) % users.size()]
                         : "";
    v1::Event event = MakeEvent(absl::StrCat("ev", ++n), action, actor, subject,
                                absl::StrCat("obj", n));
    const absl::Time at = Moscow(2026, month, day, 9 + random() % 12);
    event.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
    const v1::EventOutcome outcome = Record(event);
    const std::string recipient = action == "like" ? subject : actor;
    for (const std::string& scope : {std::string("global"), dept[actor]}) {
      Expected& e = expected[scope];
      e.active.insert(actor);
      e.events += 1;
      e.events_by_action[action] += 1;
    }
    if (points > 0 && outcome.awards_size() == 1) {
      for (const std::string& scope : {std::string("global"), dept[recipient]}) {
        expected[scope].points += points;
        expected[scope].participants.insert(recipient);
      }
    }
    if (month == 11 && at >= Moscow(2026, 11, 23, 0)) {  // ISO week 48
      for (const std::string& scope : {std::string("global"), dept[actor]}) {
        week48[scope].events += 1;
      }
    }
  };
  for (int i = 0; i < 120; ++i) act(10, 1 + random() % 31, october);
  for (int i = 0; i < 600; ++i) act(11, 1 + random() % 29, november);

  // Redemptions today count as points redeemed in November.
  for (int i = 0; i < 6; ++i) {
    const std::string& user = users[i * 7];
    v1::RedeemRequest request;
    request.set_user_id(user);
    request.set_reward_id("mug");
    request.set_quantity(1);
    request.set_request_id(absl::StrCat("mug-", i));
    v1::RedeemResponse response;
    grpc::ClientContext context;
    if (client_->rewards->Redeem(&context, request, &response).ok()) {
      november["global"].redeemed += 20;
      november[dept[user]].redeemed += 20;
    }
  }
  ASSERT_GT(november["global"].redeemed, 0);

  for (const std::string scope : {"global", "dept:sales", "dept:eng"}) {
    v1::Engagement month;
    ASSERT_TRUE(Engagement(scope, v1::MONTH, "", &month).ok());
    EXPECT_EQ(month.bucket(), "2026-11");
    EXPECT_FALSE(month.withheld());
    ExpectFigures(month.figures(), november[scope], scope + " November");
    ExpectFigures(month.previous(), october[scope], scope + " October");
    ASSERT_TRUE(month.growth().has_events());
    EXPECT_NEAR(month.growth().events(),
                100.0 * (november[scope].events - october[scope].events) /
                    october[scope].events,
                1e-9);
    v1::Engagement week;
    ASSERT_TRUE(Engagement(scope, v1::WEEK, "2026-W48", &week).ok());
    EXPECT_EQ(week.figures().events(), week48[scope].events) << scope;
  }

  // A series: the last 3 months, oldest first.
  v1::GetEngagementSeriesRequest request;
  request.set_scope("dept:eng");
  request.set_period(v1::MONTH);
  request.set_buckets(3);
  v1::GetEngagementSeriesResponse series;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->analytics->GetEngagementSeries(&context, request, &series).ok());
  ASSERT_EQ(series.series_size(), 3);
  EXPECT_EQ(series.series(0).bucket(), "2026-09");
  EXPECT_TRUE(series.series(0).withheld());  // nobody was active
  EXPECT_EQ(series.series(2).figures().events(), november["dept:eng"].events);
}

TEST_F(AnalyticsTest, SmallGroupsAreWithheld) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  for (int i = 0; i < 4; ++i) {
    UpsertUser(absl::StrCat("t", i), {"team:tiny"});
    Record(MakeEvent(absl::StrCat("p", i), "post.created", absl::StrCat("t", i)));
  }
  v1::Engagement tiny;
  ASSERT_TRUE(Engagement("team:tiny", v1::DAY, "", &tiny).ok());
  EXPECT_TRUE(tiny.withheld());
  EXPECT_FALSE(tiny.has_figures());
  v1::Engagement global;
  ASSERT_TRUE(Engagement("global", v1::DAY, "", &global).ok());
  EXPECT_FALSE(global.withheld());
  EXPECT_EQ(global.figures().events(), 4);
  // A fifth active member lifts the veil.
  UpsertUser("t4", {"team:tiny"});
  Record(MakeEvent("p4", "post.created", "t4"));
  ASSERT_TRUE(Engagement("team:tiny", v1::DAY, "", &tiny).ok());
  EXPECT_FALSE(tiny.withheld());
  EXPECT_EQ(tiny.figures().active_users(), 5);
  EXPECT_EQ(tiny.figures().points_awarded(), 50);
}

TEST_F(AnalyticsTest, BadRequests) {
  v1::Engagement engagement;
  EXPECT_EQ(Engagement("global", v1::ALL_TIME, "", &engagement).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Engagement("sales", v1::DAY, "", &engagement).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Engagement("global", v1::MONTH, "2026-13", &engagement).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetEngagementSeriesRequest request;
  request.set_scope("global");
  request.set_period(v1::DAY);
  request.set_buckets(61);
  v1::GetEngagementSeriesResponse series;
  grpc::ClientContext context;
  EXPECT_EQ(client_->analytics->GetEngagementSeries(&context, request, &series)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace plaudit::testing
