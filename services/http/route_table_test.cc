#include "services/http/route_table.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "plaudit/v1/account_service.pb.h"
#include "plaudit/v1/event_service.pb.h"
#include "plaudit/v1/leaderboard_service.pb.h"
#include "plaudit/v1/reward_service.pb.h"
#include "plaudit/v1/rule_service.pb.h"
#include "services/common/error_reason.h"
#include "services/http/transcoder.h"

namespace plaudit {
namespace {

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const char* name :
         {"AccountService", "EventService", "LeaderboardService",
          "RewardService", "RuleService"}) {
      services.push_back(
          pool->FindServiceByName(absl::StrCat("plaudit.v1.", name)));
      ASSERT_NE(services.back(), nullptr) << name;
    }
    absl::StatusOr<RouteTable> table = RouteTable::Build(services);
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = *std::move(table);
  }

  absl::StatusOr<RouteMatch> Match(absl::string_view verb,
                                   absl::string_view path) {
    allowed_.clear();
    return table_.Match(verb, path, &allowed_);
  }

  // The request the route builds, or the error.
  template <typename Request>
  absl::StatusOr<Request> Build(absl::string_view verb, absl::string_view path,
                                HttpInput input = {}) {
    absl::StatusOr<RouteMatch> match = Match(verb, path);
    if (!match.ok()) return match.status();
    auto built = BuildRequest(*match, input);
    if (!built.ok()) return built.status();
    Request request;
    request.CopyFrom(**built);
    return request;
  }

  RouteTable table_;
  std::vector<std::string> allowed_;
};

TEST_F(RouteTableTest, PathVariablesArePercentDecoded) {
  auto request =
      Build<v1::GetBalanceRequest>("GET", "/v1/users/ann%2Fkazan%20x/balance");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->user_id(), "ann/kazan x");
  EXPECT_EQ(Match("GET", "/v1/users/a%00b/balance").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Match("GET", "/v1/users/a%zzb/balance").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Match("GET", "/v1/users/a%2/balance").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RouteTableTest, CustomVerbsWrongMethodsAndUnknownPaths) {
  auto match = Match("POST", "/v1/rewards/mug:redeem");
  ASSERT_TRUE(match.ok()) << match.status();
  EXPECT_EQ(match->route->grpc_path, "/plaudit.v1.RewardService/Redeem");
  EXPECT_EQ(match->bindings.at(0).second, "mug");
  match = Match("POST", "/v1/events:batch");
  ASSERT_TRUE(match.ok()) << match.status();
  EXPECT_EQ(match->route->method->name(), "RecordEvents");

  EXPECT_EQ(Match("DELETE", "/v1/users/ann/balance").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(allowed_, std::vector<std::string>{"GET"});
  EXPECT_EQ(Match("GET", "/v1/nothing/here").status().code(),
            absl::StatusCode::kNotFound);
  // An unknown custom verb reads as part of the id (GET's reward
  // "mug:steal"): ids holding ':' are sent as %3A.
  EXPECT_EQ(Match("POST", "/v1/rewards/mug:steal").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Match("POST", "/v1/events:steal").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RouteTableTest, QueryParametersBindByEitherNameAndCheckTheirType) {
  auto request = Build<v1::GetLeaderboardRequest>(
      "GET", "/v1/leaderboards/dept:sales/week",
      {"page_size=5&pageToken=abc%3D&bucket=2026-W48"});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->scope(), "dept:sales");
  EXPECT_EQ(request->period(), v1::WEEK);
  EXPECT_EQ(request->page_size(), 5);
  EXPECT_EQ(request->page_token(), "abc=");

  for (const char* query :
       {"page_size=abc", "page_size=99999999999", "no_such=1"}) {
    auto bad = Build<v1::GetLeaderboardRequest>(
        "GET", "/v1/leaderboards/global/week", {query});
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << query;
    EXPECT_EQ(ErrorReason(bad.status()), "MALFORMED_REQUEST");
  }
  auto all =
      Build<v1::GetLeaderboardRequest>("GET", "/v1/leaderboards/global/all");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->period(), v1::ALL_TIME);
  EXPECT_EQ(Build<v1::GetLeaderboardRequest>(
                "GET", "/v1/leaderboards/global/fortnight")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RouteTableTest, BodiesAreCanonicalJsonWithoutUnknownFields) {
  auto request = Build<v1::RecordEventsRequest>(
      "POST", "/v1/events:batch",
      {"",
       R"({"events":[{"eventId":"e1","action":"like","actor_id":"ann"}]})"});
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_EQ(request->events_size(), 1);
  EXPECT_EQ(request->events(0).actor_id(), "ann");

  for (const char* body : {R"({"events":[{"eventId":"e1","colour":"red"}]})",
                           R"({"events": [)", R"({"events":"many"})"}) {
    auto bad =
        Build<v1::RecordEventsRequest>("POST", "/v1/events:batch", {"", body});
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_TRUE(absl::StartsWith(bad.status().message(), "body: "))
        << bad.status();
  }
  auto overflow = Build<v1::AdjustBalanceRequest>(
      "POST", "/v1/users/ann/balance:adjust",
      {"", R"({"delta":"99999999999999999999"})"});
  EXPECT_EQ(overflow.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RouteTableTest, PatchWithoutMaskUpdatesTheFieldsTheBodyNames) {
  auto request = Build<v1::UpdateRuleRequest>(
      "PATCH", "/v1/rules/likes", {"", R"({"points":3,"dailyLimit":10})"});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->rule().rule_id(), "likes");
  EXPECT_EQ(request->rule().points(), 3);
  ASSERT_EQ(request->update_mask().paths_size(), 2);
  EXPECT_EQ(request->update_mask().paths(0), "daily_limit");
  EXPECT_EQ(request->update_mask().paths(1), "points");

  request = Build<v1::UpdateRuleRequest>(
      "PATCH", "/v1/rules/likes",
      {"update_mask=points,dailyLimit", R"({"points":3,"dailyLimit":10})"});
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_EQ(request->update_mask().paths_size(), 2);
  EXPECT_EQ(request->update_mask().paths(1), "daily_limit");
}

TEST_F(RouteTableTest, IdempotencyKeyFillsAnEmptyRequestId) {
  auto request = Build<v1::RedeemRequest>("POST", "/v1/rewards/mug:redeem",
                                          {"", R"({"userId":"ann"})", "k-1"});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->request_id(), "k-1");
  request = Build<v1::RedeemRequest>(
      "POST", "/v1/rewards/mug:redeem",
      {"", R"({"userId":"ann","requestId":"mine"})", "k-1"});
  EXPECT_EQ(request->request_id(), "mine");
}

TEST(HttpErrorTest, StatusesFollowTheStandardMapping) {
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::INVALID_ARGUMENT), 400);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::ALREADY_EXISTS), 409);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::UNAVAILABLE), 503);
  const HttpError limited = HttpErrorOf(
      429, WithRetryDelay(WithReason(absl::ResourceExhaustedError("slow down"),
                                     "RATE_LIMITED"),
                          absl::Milliseconds(1500)));
  EXPECT_EQ(limited.retry_after_seconds, 2);
  EXPECT_NE(limited.body.find(R"("code":429,"status":"RESOURCE_EXHAUSTED")"),
            std::string::npos)
      << limited.body;
  EXPECT_NE(limited.body.find(R"("reason":"RATE_LIMITED")"), std::string::npos)
      << limited.body;
}

}  // namespace
}  // namespace plaudit
