// LeaderboardService against a real redis-server: competition ranks, stable
// pages, "around me", hidden users, period boundaries in local time, group
// moves, retention.
#include "absl/strings/str_cat.h"
#include "services/store/keys.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

class LeaderboardsTest : public PlauditTest {
 protected:
  // HR grants move the boards of the current buckets: a quick way to set
  // scores. Each call is a new adjustment.
  void Grant(const std::string& user, int64_t points,
             v1::AccountService::Stub* stub = nullptr) {
    v1::AdjustBalanceRequest request;
    request.set_user_id(user);
    request.set_delta(points);
    request.set_reason("test");
    request.set_request_id(absl::StrCat("grant-", ++grants_));
    v1::AdjustBalanceResponse response;
    grpc::ClientContext context;
    const grpc::Status status = (stub ? *stub : *client_->accounts)
                                    .AdjustBalance(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Board(v1::LeaderboardService::Stub& stub, const std::string& scope,
                     v1::Period period, const std::string& bucket,
                     v1::GetLeaderboardResponse* response, int page_size = 100,
                     const std::string& token = "") {
    v1::GetLeaderboardRequest request;
    request.set_scope(scope);
    request.set_period(period);
    request.set_bucket(bucket);
    request.set_page_size(page_size);
    request.set_page_token(token);
    grpc::ClientContext context;
    return stub.GetLeaderboard(&context, request, response);
  }

  // "user:score" of every entry, following pages.
  std::vector<std::string> Entries(const std::string& scope, v1::Period period,
                                   const std::string& bucket = "",
                                   int page_size = 100,
                                   v1::LeaderboardService::Stub* stub = nullptr) {
    std::vector<std::string> entries;
    std::string token;
    do {
      v1::GetLeaderboardResponse response;
      const grpc::Status status =
          Board(stub ? *stub : *client_->leaderboards, scope, period, bucket,
                &response, page_size, token);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const auto& e : response.entries()) {
        entries.push_back(absl::StrCat(e.user_id(), ":", e.score()));
      }
      token = response.next_page_token();
    } while (!token.empty());
    return entries;
  }

  grpc::Status Rank(const std::string& user, const std::string& scope,
                    v1::Period period, int neighbors, v1::GetRankResponse* response,
                    const std::string& bucket = "") {
    v1::GetRankRequest request;
    request.set_user_id(user);
    request.set_scope(scope);
    request.set_period(period);
    request.set_bucket(bucket);
    request.set_neighbors(neighbors);
    grpc::ClientContext context;
    return client_->leaderboards->GetRank(&context, request, response);
  }

  grpc::Status SetHidden(const std::string& user, bool hidden) {
    v1::SetUserVisibilityRequest request;
    request.set_user_id(user);
    request.set_hidden(hidden);
    v1::SetUserVisibilityResponse response;
    grpc::ClientContext context;
    return client_->leaderboards->SetUserVisibility(&context, request, &response);
  }

  // Ten users u0..u9 scoring 100, 90, ..., 10.
  void TenUsers() {
    for (int i = 0; i < 10; ++i) {
      UpsertUser(absl::StrCat("u", i), {"dept:sales"});
      Grant(absl::StrCat("u", i), 100 - 10 * i);
    }
  }

  static std::vector<std::string> Ids(
      const google::protobuf::RepeatedPtrField<v1::LeaderboardEntry>& entries) {
    std::vector<std::string> ids;
    for (const auto& e : entries) ids.push_back(absl::StrCat(e.user_id(), "#", e.rank()));
    return ids;
  }

  int grants_ = 0;
};

TEST_F(LeaderboardsTest, EqualScoresShareARankAndPagesNeverSkipOrRepeat) {
  Grant("a", 50);
  Grant("b", 30);
  Grant("c", 30);
  Grant("d", 10);
  for (const char* user : {"e5", "e3", "e1", "e4", "e2"}) Grant(user, 7);

  std::vector<std::string> seen;
  std::string token;
  do {
    v1::GetLeaderboardResponse page;
    ASSERT_TRUE(Board(*client_->leaderboards, "global", v1::ALL_TIME, "", &page,
                      /*page_size=*/2, token).ok());
    EXPECT_EQ(page.participants(), 9);
    EXPECT_EQ(page.bucket(), "all");
    EXPECT_LE(page.entries_size(), 2);
    for (const auto& e : page.entries()) {
      seen.push_back(absl::StrCat(e.user_id(), "#", e.rank()));
    }
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a#1", "b#2", "c#2", "d#4", "e1#5",
                                            "e2#5", "e3#5", "e4#5", "e5#5"}));
}

TEST_F(LeaderboardsTest, PagesServedFromMemoryShowOwnWritesAtOnceOthersWithinTheCacheAge) {
  const absl::Time noon = Utc(2026, 3, 10, 9, 0);
  clock_->Set(noon);
  TenUsers();
  const std::vector<std::string> before = Entries("global", v1::ALL_TIME);
  ASSERT_EQ(before.front(), "u0:100");

  // Another plauditd's write: this one does not know of it.
  std::unique_ptr<PlauditServer> replica = StartReplica();
  ASSERT_NE(replica, nullptr);
  Client other(replica->port());
  Grant("u9", 1000, other.accounts.get());
  EXPECT_EQ(Entries("global", v1::ALL_TIME), before) << "served from memory";
  clock_->Set(noon + Options().leaderboard_cache);
  EXPECT_EQ(Entries("global", v1::ALL_TIME).front(), "u9:1010") << "aged out";

  // This process's own write shows at once, with or without the cache.
  Grant("u8", 2000);
  EXPECT_EQ(Entries("global", v1::ALL_TIME).front(), "u8:2020");
}

TEST_F(LeaderboardsTest, APageContinuesAfterItsLastEntryEvenWhenThatEntryMoved) {
  for (const char* user : {"a", "b", "c", "d"}) Grant(user, 10);
  v1::GetLeaderboardResponse first;
  ASSERT_TRUE(Board(*client_->leaderboards, "global", v1::ALL_TIME, "", &first, 2).ok());
  ASSERT_EQ(Ids(first.entries()), (std::vector<std::string>{"a#1", "b#1"}));
  Grant("b", 100);  // b jumps to the top between the two pages
  v1::GetLeaderboardResponse second;
  ASSERT_TRUE(Board(*client_->leaderboards, "global", v1::ALL_TIME, "", &second, 2,
                    first.next_page_token()).ok());
  EXPECT_EQ(Ids(second.entries()), (std::vector<std::string>{"c#2", "d#2"}));
}

TEST_F(LeaderboardsTest, RankShowsNeighboursAndPercentile) {
  TenUsers();
  v1::GetRankResponse rank;
  ASSERT_TRUE(Rank("u5", "global", v1::MONTH, 2, &rank).ok());
  EXPECT_EQ(rank.entry().rank(), 6);
  EXPECT_EQ(rank.entry().score(), 50);
  EXPECT_EQ(rank.entry().display_name(), "User u5");
  EXPECT_EQ(rank.participants(), 10);
  EXPECT_DOUBLE_EQ(rank.percentile(), 50.0);
  EXPECT_EQ(Ids(rank.above()), (std::vector<std::string>{"u3#4", "u4#5"}));
  EXPECT_EQ(Ids(rank.below()), (std::vector<std::string>{"u6#7", "u7#8"}));

  ASSERT_TRUE(Rank("u0", "dept:sales", v1::WEEK, 3, &rank).ok());
  EXPECT_EQ(rank.entry().rank(), 1);
  EXPECT_DOUBLE_EQ(rank.percentile(), 100.0);
  EXPECT_TRUE(rank.above().empty());
  EXPECT_EQ(rank.below_size(), 3);

  EXPECT_EQ(Rank("nobody", "global", v1::DAY, 2, &rank).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(LeaderboardsTest, NamesComeFromMemoryAndARenameShowsAtOnceOnEveryReplica) {
  TenUsers();
  v1::GetRankResponse rank;
  ASSERT_TRUE(Rank("u5", "global", v1::ALL_TIME, 2, &rank).ok());
  ASSERT_EQ(rank.above(1).display_name(), "User u4");
  // The same names again: none is read from Redis.
  const int64_t reads = redis_->CommandCalls("hmget");
  ASSERT_TRUE(Rank("u6", "global", v1::ALL_TIME, 1, &rank).ok());
  EXPECT_EQ(rank.entry().display_name(), "User u6");
  EXPECT_EQ(rank.above(0).display_name(), "User u5");
  EXPECT_EQ(redis_->CommandCalls("hmget"), reads);
  // A neighbour not yet seen is read (only it) and shown.
  ASSERT_TRUE(Rank("u6", "global", v1::ALL_TIME, 2, &rank).ok());
  EXPECT_EQ(rank.below(1).display_name(), "User u8");
  EXPECT_EQ(redis_->CommandCalls("hmget"), reads + 1);

  // Renamed through another replica, on the test clock's same instant.
  std::unique_ptr<PlauditServer> replica = StartReplica();
  ASSERT_NE(replica, nullptr);
  Client other(replica->port());
  v1::UpsertUserRequest rename;
  rename.mutable_user()->set_user_id("u4");
  rename.mutable_user()->set_display_name("Ann Lee");
  rename.mutable_user()->add_groups("dept:sales");
  v1::UpsertUserResponse renamed;
  grpc::ClientContext context;
  ASSERT_TRUE(other.users->UpsertUser(&context, rename, &renamed).ok());
  ASSERT_TRUE(Rank("u5", "global", v1::ALL_TIME, 2, &rank).ok());
  EXPECT_EQ(rank.above(1).display_name(), "Ann Lee");
  EXPECT_EQ(rank.entry().display_name(), "User u5");
  // Syncing the same name again moves nothing: names stay in memory.
  UpsertUser("u5", {"dept:sales"});
  const int64_t after_rename = redis_->CommandCalls("hmget");
  ASSERT_TRUE(Rank("u5", "global", v1::ALL_TIME, 2, &rank).ok());
  EXPECT_EQ(rank.above(1).display_name(), "Ann Lee");
  EXPECT_EQ(redis_->CommandCalls("hmget"), after_rename);
}

TEST_F(LeaderboardsTest, HiddenUsersVanishFromListsButSeeTheirOwnRank) {
  TenUsers();
  ASSERT_TRUE(SetHidden("u2", true).ok());

  const auto list = Entries("global", v1::ALL_TIME);
  EXPECT_EQ(list.size(), 9u);
  EXPECT_EQ(std::count(list.begin(), list.end(), "u2:80"), 0);
  v1::GetRankResponse rank;
  ASSERT_TRUE(Rank("u1", "dept:sales", v1::DAY, 1, &rank).ok());
  EXPECT_EQ(Ids(rank.below()), (std::vector<std::string>{"u3#3"}));
  EXPECT_EQ(rank.participants(), 9);

  // u2 still sees where they stand, and keeps earning.
  Grant("u2", 15);  // 95: between u0 (100) and u1 (90)
  ASSERT_TRUE(Rank("u2", "global", v1::ALL_TIME, 1, &rank).ok());
  EXPECT_TRUE(rank.hidden());
  EXPECT_EQ(rank.entry().score(), 95);
  EXPECT_EQ(rank.entry().rank(), 2);
  EXPECT_EQ(rank.participants(), 10);
  EXPECT_EQ(Ids(rank.above()), (std::vector<std::string>{"u0#1"}));
  EXPECT_EQ(Ids(rank.below()), (std::vector<std::string>{"u1#3"}));
  EXPECT_EQ(Balance("u2").balance(), 95);

  ASSERT_TRUE(SetHidden("u2", false).ok());
  ASSERT_TRUE(Rank("u1", "global", v1::ALL_TIME, 1, &rank).ok());
  EXPECT_EQ(rank.entry().rank(), 3);
  EXPECT_EQ(Ids(rank.above()), (std::vector<std::string>{"u2#2"}));
  EXPECT_EQ(Entries("dept:sales", v1::YEAR).size(), 10u);

  v1::GetUserRequest get;
  get.set_user_id("u2");
  v1::GetUserResponse user;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->users->GetUser(&context, get, &user).ok());
  EXPECT_FALSE(user.user().hidden());
  EXPECT_EQ(SetHidden("ghost", true).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(LeaderboardsTest, LaterPointsGoToTheNewDepartmentEarlierOnesStay) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  UpsertUser("ann", {"dept:sales", "office:kazan"});
  Record(MakeEvent("p1", "post.created", "ann"));
  UpsertUser("ann", {"dept:hr", "office:kazan"});
  Record(MakeEvent("p2", "post.created", "ann"));

  EXPECT_EQ(Entries("dept:sales", v1::ALL_TIME), (std::vector<std::string>{"ann:10"}));
  EXPECT_EQ(Entries("dept:hr", v1::ALL_TIME), (std::vector<std::string>{"ann:10"}));
  EXPECT_EQ(Entries("office:kazan", v1::ALL_TIME), (std::vector<std::string>{"ann:20"}));
  EXPECT_EQ(Entries("global", v1::DAY), (std::vector<std::string>{"ann:20"}));

  v1::ListScopesRequest request;
  request.set_user_id("ann");
  v1::ListScopesResponse scopes;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->leaderboards->ListScopes(&context, request, &scopes).ok());
  EXPECT_EQ(std::vector<std::string>(scopes.scopes().begin(), scopes.scopes().end()),
            (std::vector<std::string>{"global", "dept:hr", "dept:sales",
                                      "office:kazan"}));
}

TEST_F(LeaderboardsTest, RetractionsAndDeductionsLowerScores) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  Record(MakeEvent("p1", "post.created", "ann"));
  Record(MakeEvent("p2", "post.created", "ann"));
  Record(MakeEvent("p3", "post.created", "bob"));
  v1::RetractEventRequest retract;
  retract.set_event_id("p1");
  v1::RetractEventResponse retracted;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->events->RetractEvent(&context, retract, &retracted).ok());
  EXPECT_EQ(Entries("global", v1::WEEK), (std::vector<std::string>{"ann:10", "bob:10"}));
  Grant("bob", -4);
  EXPECT_EQ(Entries("global", v1::ALL_TIME), (std::vector<std::string>{"ann:10", "bob:6"}));
}

TEST_F(LeaderboardsTest, DayBucketsFollowLocalMidnightFarFromUtc) {
  ServerOptions options = Options();
  options.time_zone = "Asia/Yekaterinburg";  // UTC+5
  clock_->Set(Utc(2026, 11, 27, 19, 30));   // 00:30 local on Nov 28
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  auto post = [&](const std::string& id, const std::string& user, absl::Time at) {
    v1::RecordEventRequest request;
    *request.mutable_event() = MakeEvent(id, "post.created", user);
    request.mutable_event()->mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
    v1::RecordEventResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client.events->RecordEvent(&context, request, &response).ok());
  };
  post("late", "ann", Utc(2026, 11, 27, 18, 59));   // 23:59 local, Nov 27
  post("early", "bob", Utc(2026, 11, 27, 19, 1));   // 00:01 local, Nov 28
  EXPECT_EQ(Entries("global", v1::DAY, "2026-11-27", 100, client.leaderboards.get()),
            (std::vector<std::string>{"ann:10"}));
  EXPECT_EQ(Entries("global", v1::DAY, "2026-11-28", 100, client.leaderboards.get()),
            (std::vector<std::string>{"bob:10"}));
  EXPECT_EQ(Entries("global", v1::DAY, "", 100, client.leaderboards.get()),
            (std::vector<std::string>{"bob:10"}));
  EXPECT_EQ(Entries("global", v1::WEEK, "2026-W48", 100, client.leaderboards.get()).size(), 2u);
}

TEST_F(LeaderboardsTest, DayBucketsAcrossADstChange) {
  ServerOptions options = Options();
  options.time_zone = "America/New_York";
  clock_->Set(Utc(2026, 3, 9, 12, 0));
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  int n = 0;
  auto post = [&](const std::string& user, absl::Time at) {
    v1::RecordEventRequest request;
    *request.mutable_event() = MakeEvent(absl::StrCat("e", ++n), "post.created", user);
    request.mutable_event()->mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
    v1::RecordEventResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client.events->RecordEvent(&context, request, &response).ok());
  };
  post("ann", Utc(2026, 3, 8, 4, 59));  // 23:59 EST, Mar 7
  post("bob", Utc(2026, 3, 8, 5, 1));   // 00:01 EST, Mar 8 (DST starts 02:00)
  post("cai", Utc(2026, 3, 9, 3, 59));  // 23:59 EDT, Mar 8
  post("dee", Utc(2026, 3, 9, 4, 1));   // 00:01 EDT, Mar 9
  auto day = [&](const std::string& bucket) {
    return Entries("global", v1::DAY, bucket, 100, client.leaderboards.get());
  };
  EXPECT_EQ(day("2026-03-07"), (std::vector<std::string>{"ann:10"}));
  EXPECT_EQ(day("2026-03-08"), (std::vector<std::string>{"bob:10", "cai:10"}));
  EXPECT_EQ(day("2026-03-09"), (std::vector<std::string>{"dee:10"}));
}

TEST_F(LeaderboardsTest, IsoWeek53AndTheYearChange) {
  clock_->Set(Utc(2027, 1, 4, 9, 0));  // Monday, 12:00 in Moscow
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  auto post = [&](const std::string& id, const std::string& user, absl::Time at) {
    v1::Event event = MakeEvent(id, "post.created", user);
    event.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
    Record(event);
  };
  post("a", "ann", Utc(2026, 12, 31, 9, 0));    // Thu, 2026-W53, year 2026
  post("b", "bob", Utc(2027, 1, 3, 20, 59));    // Sun 23:59 MSK, 2026-W53, 2027
  post("c", "cai", Utc(2027, 1, 3, 21, 1));     // Mon 00:01 MSK, 2027-W01
  EXPECT_EQ(Entries("global", v1::WEEK, "2026-W53"),
            (std::vector<std::string>{"ann:10", "bob:10"}));
  EXPECT_EQ(Entries("global", v1::WEEK), (std::vector<std::string>{"cai:10"}));
  EXPECT_EQ(Entries("global", v1::YEAR, "2026"), (std::vector<std::string>{"ann:10"}));
  EXPECT_EQ(Entries("global", v1::YEAR, "2027"),
            (std::vector<std::string>{"bob:10", "cai:10"}));
  EXPECT_EQ(Entries("global", v1::MONTH, "2026-12"), (std::vector<std::string>{"ann:10"}));
}

TEST_F(LeaderboardsTest, OldBucketsExpireByTtlAndAreNotFoundBeyondRetention) {
  clock_->Set(Utc(2026, 11, 27, 9, 0));
  Grant("ann", 5);
  KeySchema keys("acme");
  const auto ttl = [&](const std::string& bucket_key) {
    return redis_->client().Run({"PTTL", keys.Board(bucket_key, "global")})->integer;
  };
  EXPECT_EQ(ttl("all"), -1);  // all time: kept
  const int64_t day_ttl = ttl("d:2026-11-27");
  // Readable through the 14 following days: until 2026-12-12 00:00 MSK.
  // (PTTL counts down in real time while the test runs: allow a few seconds.)
  EXPECT_NEAR(day_ttl,
              absl::ToInt64Milliseconds(Utc(2026, 12, 11, 21, 0) -
                                        Utc(2026, 11, 27, 9, 0)),
              5000);
  EXPECT_GT(ttl("w:2026-W48"), day_ttl);

  clock_->Set(Utc(2026, 12, 20, 9, 0));
  v1::GetLeaderboardResponse response;
  const grpc::Status gone =
      Board(*client_->leaderboards, "global", v1::DAY, "2026-11-27", &response);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(gone.error_message().find("retention"), std::string::npos);
  EXPECT_TRUE(Board(*client_->leaderboards, "global", v1::WEEK, "2026-W48", &response).ok());
}

TEST_F(LeaderboardsTest, APageBegunBeforeMidnightContinuesOnTheSameDay) {
  clock_->Set(Utc(2026, 11, 27, 20, 50));  // 23:50 in Moscow
  for (const char* user : {"a", "b", "c"}) Grant(user, 5);
  v1::GetLeaderboardResponse first;
  ASSERT_TRUE(Board(*client_->leaderboards, "global", v1::DAY, "", &first, 2).ok());
  EXPECT_EQ(first.bucket(), "2026-11-27");
  clock_->Set(Utc(2026, 11, 27, 21, 10));  // 00:10: a new day, empty so far
  v1::GetLeaderboardResponse second;
  ASSERT_TRUE(Board(*client_->leaderboards, "global", v1::DAY, "", &second, 2,
                    first.next_page_token()).ok());
  EXPECT_EQ(second.bucket(), "2026-11-27");
  EXPECT_EQ(Ids(second.entries()), (std::vector<std::string>{"c#1"}));
  v1::GetLeaderboardResponse other_day;
  EXPECT_EQ(Board(*client_->leaderboards, "global", v1::DAY, "2026-11-28",
                  &other_day, 2, first.next_page_token()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(LeaderboardsTest, AHiddenUserTiedWithOthersSharesTheirRankWhateverTheWindow) {
  Grant("a", 100);
  for (const char* user : {"b", "c"}) Grant(user, 90);
  UpsertUser("h", {"dept:sales"});
  Grant("h", 90);
  Grant("d", 80);
  ASSERT_TRUE(SetHidden("h", true).ok());
  for (int neighbors : {0, 1, 3}) {
    v1::GetRankResponse rank;
    ASSERT_TRUE(Rank("h", "global", v1::ALL_TIME, neighbors, &rank).ok());
    EXPECT_EQ(rank.entry().rank(), 2) << neighbors << " neighbours";
    EXPECT_EQ(rank.above_size(), std::min(neighbors, 3));
  }
  v1::GetRankResponse rank;
  ASSERT_TRUE(Rank("d", "global", v1::ALL_TIME, 0, &rank).ok());
  EXPECT_EQ(rank.entry().rank(), 4) << "others do not count h";
}

// A hidden user sees themselves where they would stand if visible: among
// equal scores by user id, as everyone else is ordered.
TEST_F(LeaderboardsTest, AHiddenUserStandsAmongEqualScoresByUserId) {
  Grant("top", 100);
  for (const char* user : {"bob", "cat", "eve"}) Grant(user, 90);
  Grant("zed", 80);
  for (const char* hidden : {"ann", "dan", "fay"}) {  // first, middle, last
    UpsertUser(hidden, {"dept:sales"});
    Grant(hidden, 90);
    for (int neighbors : {0, 1, 2, 4}) {
      v1::GetRankResponse visible;
      ASSERT_TRUE(Rank(hidden, "global", v1::ALL_TIME, neighbors, &visible).ok());
      ASSERT_TRUE(SetHidden(hidden, true).ok());
      v1::GetRankResponse seen;
      ASSERT_TRUE(Rank(hidden, "global", v1::ALL_TIME, neighbors, &seen).ok());
      ASSERT_TRUE(SetHidden(hidden, false).ok());
      EXPECT_TRUE(seen.hidden());
      EXPECT_EQ(seen.entry().rank(), 2) << hidden;
      EXPECT_EQ(Ids(seen.above()), Ids(visible.above()))
          << hidden << ", " << neighbors << " neighbours";
      EXPECT_EQ(Ids(seen.below()), Ids(visible.below()))
          << hidden << ", " << neighbors << " neighbours";
    }
    Grant(hidden, -90);  // off the tie again for the next one
  }
}

TEST_F(LeaderboardsTest, TiesBelowAHiddenUserShareTheirRank) {
  Grant("a", 100);
  UpsertUser("h", {"dept:sales"});
  Grant("h", 90);
  for (const char* user : {"b", "c", "d"}) Grant(user, 80);
  ASSERT_TRUE(SetHidden("h", true).ok());
  v1::GetRankResponse rank;
  ASSERT_TRUE(Rank("h", "global", v1::ALL_TIME, 3, &rank).ok());
  EXPECT_EQ(rank.entry().rank(), 2);
  EXPECT_EQ(Ids(rank.above()), (std::vector<std::string>{"a#1"}));
  EXPECT_EQ(Ids(rank.below()), (std::vector<std::string>{"b#3", "c#3", "d#3"}));
  // Others see them without h: b, c, d share rank 2.
  ASSERT_TRUE(Rank("b", "global", v1::ALL_TIME, 1, &rank).ok());
  EXPECT_EQ(rank.entry().rank(), 2);
  EXPECT_EQ(Ids(rank.above()), (std::vector<std::string>{"a#1"}));
}

TEST_F(LeaderboardsTest, HidingCoversEventsDatedTomorrowAndUnhidingLosesNothing) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  UpsertUser("ann", {"dept:sales"});
  clock_->Set(Utc(2026, 11, 27, 20, 0));  // 23:00 in Moscow
  v1::Event tomorrow = MakeEvent("t", "post.created", "ann");
  tomorrow.mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(Utc(2026, 11, 27, 23, 0)));  // 02:00 on the 28th
  Record(tomorrow);
  ASSERT_TRUE(SetHidden("ann", true).ok());
  clock_->Set(Utc(2026, 11, 28, 9, 0));
  EXPECT_TRUE(Entries("global", v1::DAY).empty());
  Record(MakeEvent("later", "post.created", "ann"));  // goes to the hidden board
  ASSERT_TRUE(SetHidden("ann", false).ok());
  EXPECT_EQ(Entries("global", v1::DAY), (std::vector<std::string>{"ann:20"}));
  EXPECT_EQ(Entries("dept:sales", v1::ALL_TIME), (std::vector<std::string>{"ann:20"}));
}

TEST_F(LeaderboardsTest, AGroupNobodyBelongsToIsNotFound) {
  UpsertUser("ann", {"dept:sales"});
  Grant("ann", 5);
  v1::GetLeaderboardResponse response;
  EXPECT_TRUE(Board(*client_->leaderboards, "dept:sales", v1::DAY, "", &response).ok());
  const grpc::Status unknown =
      Board(*client_->leaderboards, "dept:nope", v1::DAY, "", &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(unknown.error_message().find("dept:nope"), std::string::npos);
  v1::GetRankResponse rank;
  EXPECT_EQ(Rank("ann", "dept:nope", v1::DAY, 1, &rank).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(LeaderboardsTest, BadRequestsNameTheProblem) {
  Grant("ann", 5);
  struct Case {
    std::string scope;
    v1::Period period;
    std::string bucket;
    int page_size;
    std::string token;
    grpc::StatusCode code;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {"global", v1::PERIOD_UNSPECIFIED, "", 10, "", grpc::INVALID_ARGUMENT, "period"},
           {"global", static_cast<v1::Period>(42), "", 10, "", grpc::INVALID_ARGUMENT, "period"},
           {"", v1::DAY, "", 10, "", grpc::INVALID_ARGUMENT, "scope"},
           {"sales", v1::DAY, "", 10, "", grpc::INVALID_ARGUMENT, "scope"},
           {"global", v1::WEEK, "2026-48", 10, "", grpc::INVALID_ARGUMENT, "bucket"},
           {"global", v1::DAY, "2026-02-30", 10, "", grpc::INVALID_ARGUMENT, "bucket"},
           {"global", v1::DAY, "2099-01-01", 10, "", grpc::INVALID_ARGUMENT, "future"},
           {"global", v1::DAY, "2020-01-01", 10, "", grpc::NOT_FOUND, "retention"},
           {"global", v1::DAY, "", 1001, "", grpc::INVALID_ARGUMENT, "page_size"},
           {"global", v1::DAY, "", -1, "", grpc::INVALID_ARGUMENT, "page_size"},
           {"global", v1::DAY, "", 10, "garbage", grpc::INVALID_ARGUMENT, "page_token"},
       }) {
    v1::GetLeaderboardResponse response;
    const grpc::Status status = Board(*client_->leaderboards, c.scope, c.period,
                                      c.bucket, &response, c.page_size, c.token);
    EXPECT_EQ(status.error_code(), c.code) << c.field << ": " << status.error_message();
    EXPECT_NE(status.error_message().find(c.field), std::string::npos)
        << status.error_message();
  }
  // A token of one board is refused on another.
  Grant("bob", 3);
  v1::GetLeaderboardResponse page;
  ASSERT_TRUE(Board(*client_->leaderboards, "global", v1::DAY, "", &page, 1).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  v1::GetLeaderboardResponse other;
  EXPECT_EQ(Board(*client_->leaderboards, "global", v1::WEEK, "", &other, 1,
                  page.next_page_token()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetRankResponse rank;
  EXPECT_EQ(Rank("ann", "global", v1::DAY, 51, &rank).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace plaudit::testing
