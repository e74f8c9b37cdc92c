// Each company with its own settings, against a real redis-server: two
// tenants in different time zones count days and weeks by their own clocks;
// bad settings are refused naming the field and change nothing.
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "plaudit/v1/key_service.grpc.pb.h"
#include "plaudit/v1/tenant_service.grpc.pb.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

class TenantsTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    v1::KeyFile file;
    acme_ = AddKey(&file, "acme", v1::ADMIN);
    globex_ = AddKey(&file, "globex", v1::ADMIN);
    acme_reader_ = AddKey(&file, "acme", v1::READER);
    operator_ = AddKey(&file, "ops", v1::OPERATOR);
    options_ = KeyedOptions(file);
    keyed_ = StartServer(options_);
    ASSERT_NE(keyed_, nullptr);
    channel_ = ChannelTo(*keyed_);
  }

  void TearDown() override {
    keyed_.reset();
    PlauditTest::TearDown();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& key) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + key);
    return context;
  }

  grpc::Status SetZone(const std::string& key, const std::string& zone,
                       v1::TenantSettings* out = nullptr) {
    v1::UpdateTenantSettingsRequest request;
    request.mutable_settings()->set_time_zone(zone);
    request.mutable_update_mask()->add_paths("time_zone");
    v1::UpdateTenantSettingsResponse response;
    grpc::Status status =
        v1::TenantService::NewStub(channel_)->UpdateTenantSettings(
            As(key).get(), request, &response);
    if (out != nullptr) *out = response.settings();
    return status;
  }

  v1::TenantSettings Settings(const std::string& key) {
    v1::GetTenantSettingsResponse response;
    EXPECT_TRUE(v1::TenantService::NewStub(channel_)
                    ->GetTenantSettings(As(key).get(), {}, &response)
                    .ok());
    return response.settings();
  }

  // Pays `user` 10 points in the tenant of `key`, for an event now.
  void PayNow(const std::string& key, const std::string& user) {
    auto rules = v1::RuleService::NewStub(channel_);
    v1::CreateRuleRequest rule;
    *rule.mutable_rule() =
        MakeRule("post", "post.created", v1::Rule::ACTOR, 10);
    v1::CreateRuleResponse created;
    rules->CreateRule(As(key).get(), rule, &created);  // once per tenant
    v1::RecordEventRequest record;
    *record.mutable_event() =
        MakeEvent(absl::StrCat("e-", user), "post.created", user);
    v1::RecordEventResponse recorded;
    ASSERT_TRUE(v1::EventService::NewStub(channel_)
                    ->RecordEvent(As(key).get(), record, &recorded)
                    .ok());
    ASSERT_EQ(recorded.outcome().awards_size(), 1);
  }

  // The current bucket of `period` on the tenant's global board, and the
  // points `user` has on it.
  std::pair<std::string, int64_t> Board(const std::string& key,
                                        v1::Period period) {
    v1::GetLeaderboardRequest request;
    request.set_scope("global");
    request.set_period(period);
    v1::GetLeaderboardResponse response;
    const grpc::Status status =
        v1::LeaderboardService::NewStub(channel_)->GetLeaderboard(
            As(key).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.bucket(),
            response.entries_size() > 0 ? response.entries(0).score() : 0};
  }

  ServerOptions options_;
  std::unique_ptr<PlauditServer> keyed_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string acme_, globex_, acme_reader_, operator_;
};

TEST_F(TenantsTest, ANewTenantHasTheServersDefaults) {
  const v1::TenantSettings settings = Settings(acme_);
  EXPECT_EQ(settings.tenant_id(), "acme");
  EXPECT_EQ(settings.display_name(), "acme");
  EXPECT_EQ(settings.time_zone(), options_.time_zone);
  EXPECT_EQ(settings.retention().days(), options_.retention.days);
  EXPECT_EQ(settings.privacy_min_active_users(),
            options_.privacy_min_active_users);
  EXPECT_EQ(settings.version(), 0);
}

TEST_F(TenantsTest, DaysAndWeeksFollowEachTenantsZone) {
  v1::TenantSettings acme;
  ASSERT_TRUE(SetZone(acme_, "Asia/Yekaterinburg", &acme).ok());
  EXPECT_EQ(acme.version(), 1);
  ASSERT_TRUE(SetZone(globex_, "America/New_York").ok());
  // Sunday 6 December 2026, 20:00 UTC: Monday 01:00 in Yekaterinburg (UTC+5),
  // Sunday 15:00 in New York (UTC-5).
  clock_->Set(absl::FromCivil(absl::CivilSecond(2026, 12, 6, 20, 0, 0),
                              absl::UTCTimeZone()));
  PayNow(acme_, "ann");
  PayNow(globex_, "ann");
  EXPECT_EQ(Board(acme_, v1::DAY),
            std::make_pair(std::string("2026-12-07"), int64_t{10}));
  EXPECT_EQ(Board(globex_, v1::DAY),
            std::make_pair(std::string("2026-12-06"), int64_t{10}));
  EXPECT_EQ(Board(acme_, v1::WEEK).first, "2026-W50");
  EXPECT_EQ(Board(globex_, v1::WEEK).first, "2026-W49");
  EXPECT_EQ(Settings(acme_).time_zone(), "Asia/Yekaterinburg");
  EXPECT_EQ(Settings(globex_).time_zone(), "America/New_York");
}

TEST_F(TenantsTest, AnotherReplicaFollowsAChangeWithinASecond) {
  clock_->Set(absl::FromCivil(absl::CivilSecond(2026, 12, 6, 20, 0, 0),
                              absl::UTCTimeZone()));
  std::unique_ptr<PlauditServer> other = StartServer(options_);
  ASSERT_NE(other, nullptr);
  auto other_channel = ChannelTo(*other);
  auto day_there = [&] {
    v1::GetLeaderboardRequest request;
    request.set_scope("global");
    request.set_period(v1::DAY);
    v1::GetLeaderboardResponse response;
    EXPECT_TRUE(v1::LeaderboardService::NewStub(other_channel)
                    ->GetLeaderboard(As(acme_).get(), request, &response)
                    .ok());
    return response.bucket();
  };
  EXPECT_EQ(day_there(), "2026-12-06");  // Moscow, the default
  ASSERT_TRUE(SetZone(acme_, "Asia/Yekaterinburg").ok());
  clock_->Set(absl::FromCivil(absl::CivilSecond(2026, 12, 6, 20, 0, 2),
                              absl::UTCTimeZone()));
  // The first call after a second starts the re-read; calls after it ends
  // count by the new zone.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string seen = day_there();
  while (seen != "2026-12-07" && absl::Now() < deadline) seen = day_there();
  EXPECT_EQ(seen, "2026-12-07");
}

// Redis commands run so far, those run by scripts included.
int64_t CommandsRun(RedisClient& redis) {
  int64_t total = 0;
  auto info = redis.Run({"INFO", "commandstats"});
  EXPECT_TRUE(info.ok());
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    const size_t at = line.find("calls=");
    int64_t calls = 0;
    if (at != absl::string_view::npos &&
        absl::SimpleAtoi(line.substr(at + 6, line.find(',', at) - at - 6),
                         &calls)) {
      total += calls;
    }
  }
  return total;
}

TEST_F(TenantsTest, ATenantThatKeepsNoDayBoardsWritesNoneAndPaysLess) {
  v1::UpdateTenantSettingsRequest request;
  request.mutable_settings()->add_periods(v1::ALL_TIME);
  request.mutable_settings()->add_periods(v1::WEEK);
  request.mutable_settings()->add_periods(v1::MONTH);
  request.mutable_update_mask()->add_paths("periods");
  v1::UpdateTenantSettingsResponse updated;
  ASSERT_TRUE(v1::TenantService::NewStub(channel_)
                  ->UpdateTenantSettings(As(globex_).get(), request, &updated)
                  .ok());
  PayNow(acme_, "warmup");  // rules created, scripts loaded
  PayNow(globex_, "warmup");
  const int64_t start = CommandsRun(redis_->client());
  PayNow(acme_, "ann");
  const int64_t all_periods = CommandsRun(redis_->client()) - start;
  PayNow(globex_, "ann");
  const int64_t three_periods =
      CommandsRun(redis_->client()) - start - all_periods;
  EXPECT_LT(three_periods, all_periods);
  std::cout << "Redis commands for one paid event: " << all_periods
            << " keeping all periods, " << three_periods
            << " keeping all time, month and week\n";

  auto keys = redis_->client().Run({"KEYS", "plaudit:{globex}:*"});
  ASSERT_TRUE(keys.ok());
  for (const RedisValue& key : keys->elements) {
    EXPECT_EQ(key.str.find(":d:"), std::string::npos) << key.str;
    EXPECT_EQ(key.str.find(":y:"), std::string::npos) << key.str;
  }
  v1::GetLeaderboardRequest day;
  day.set_scope("global");
  day.set_period(v1::DAY);
  v1::GetLeaderboardResponse page;
  const grpc::Status refused =
      v1::LeaderboardService::NewStub(channel_)->GetLeaderboard(
          As(globex_).get(), day, &page);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReasonOf(refused), "PERIOD_NOT_KEPT");
  EXPECT_EQ(Board(globex_, v1::WEEK).second, 10);
  EXPECT_EQ(Board(acme_, v1::DAY).second, 10);  // acme keeps all
}

TEST_F(TenantsTest, OnlyTheScopesATenantKeepsGetBoards) {
  auto keep = [&](std::vector<std::string> scopes) {
    v1::UpdateTenantSettingsRequest request;
    for (auto& scope : scopes) request.mutable_settings()->add_scopes(scope);
    request.mutable_update_mask()->add_paths("scopes");
    v1::UpdateTenantSettingsResponse response;
    return v1::TenantService::NewStub(channel_)->UpdateTenantSettings(
        As(acme_).get(), request, &response);
  };
  for (const std::string user : {"ann", "bob"}) {
    v1::UpsertUserRequest upsert;
    upsert.mutable_user()->set_user_id(user);
    upsert.mutable_user()->add_groups("dept:sales");
    v1::UpsertUserResponse upserted;
    ASSERT_TRUE(v1::UserService::NewStub(channel_)
                    ->UpsertUser(As(acme_).get(), upsert, &upserted)
                    .ok());
  }
  auto board = [&](const std::string& scope, v1::GetLeaderboardResponse* out) {
    v1::GetLeaderboardRequest request;
    request.set_scope(scope);
    request.set_period(v1::ALL_TIME);
    return v1::LeaderboardService::NewStub(channel_)->GetLeaderboard(
        As(acme_).get(), request, out);
  };
  auto dept_keys = [&] {
    auto keys = redis_->client().Run({"KEYS", "plaudit:{acme}:lb:*dept:*"});
    return keys.ok() ? keys->elements.size() : 999u;
  };

  ASSERT_TRUE(keep({"global"}).ok());
  PayNow(acme_, "ann");
  v1::GetLeaderboardResponse global;
  ASSERT_TRUE(board("global", &global).ok());
  ASSERT_EQ(global.entries_size(), 1);
  EXPECT_EQ(dept_keys(), 0u);
  v1::GetLeaderboardResponse dept;
  const grpc::Status not_kept = board("dept:sales", &dept);
  EXPECT_EQ(not_kept.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReasonOf(not_kept), "SCOPE_NOT_KEPT");

  // Every department, no company-wide board: at once, in the same script.
  ASSERT_TRUE(keep({"dept:"}).ok());
  PayNow(acme_, "bob");
  ASSERT_TRUE(board("dept:sales", &dept).ok());
  ASSERT_EQ(dept.entries_size(), 1);
  EXPECT_EQ(dept.entries(0).user_id(), "bob");
  EXPECT_EQ(board("global", &global).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  const grpc::Status bad = keep({"sales team"});
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("settings.scopes[0]"), std::string::npos)
      << bad.error_message();
}

TEST_F(TenantsTest, ATenantsOwnRateLimitBindsOnlyItsKeys) {
  clock_->Set(absl::FromUnixSeconds(1'800'000'000));  // no refill meanwhile
  v1::UpdateTenantSettingsRequest request;
  request.mutable_settings()->mutable_rate_limit()->set_per_second(1);
  request.mutable_settings()->mutable_rate_limit()->set_burst(2);
  request.mutable_update_mask()->add_paths("rate_limit");
  v1::UpdateTenantSettingsResponse response;
  ASSERT_TRUE(v1::TenantService::NewStub(channel_)
                  ->UpdateTenantSettings(As(acme_).get(), request, &response)
                  .ok());
  Settings(acme_);
  Settings(acme_);
  v1::GetTenantSettingsResponse third;
  const grpc::Status limited =
      v1::TenantService::NewStub(channel_)->GetTenantSettings(As(acme_).get(),
                                                              {}, &third);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ErrorReasonOf(limited), "RATE_LIMITED");
  for (int i = 0; i < 5; ++i) Settings(globex_);  // the server's limit
}

TEST_F(TenantsTest, AnOperatorCreatesATenantWithItsFirstAdminKey) {
  auto tenants = v1::TenantService::NewStub(channel_);
  v1::CreateTenantRequest request;
  request.mutable_settings()->set_tenant_id("initech");
  request.mutable_settings()->set_display_name("Initech");
  request.mutable_settings()->set_time_zone("America/New_York");
  request.set_admin_key_name("HR: Joanna");
  v1::CreateTenantResponse created;
  const grpc::Status status =
      tenants->CreateTenant(As(operator_).get(), request, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.settings().time_zone(), "America/New_York");
  EXPECT_EQ(created.settings().retention().days(), options_.retention.days);
  EXPECT_EQ(created.admin_key().tenant(), "initech");
  EXPECT_EQ(created.admin_key().role(), v1::ADMIN);
  EXPECT_TRUE(created.admin_key().secret_sha256().empty());

  // Its HR signs in with the key and sees its own settings.
  const v1::TenantSettings seen = Settings(created.admin_secret());
  EXPECT_EQ(seen.tenant_id(), "initech");
  EXPECT_EQ(seen.display_name(), "Initech");

  v1::CreateTenantResponse again;
  const grpc::Status twice =
      tenants->CreateTenant(As(operator_).get(), request, &again);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReasonOf(twice), "TENANT_EXISTS");
  // A tenant's admin is no operator.
  EXPECT_EQ(
      tenants->CreateTenant(As(acme_).get(), request, &again).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateTenantRequest bad;
  bad.mutable_settings()->set_tenant_id("Not A Slug");
  const grpc::Status refused =
      tenants->CreateTenant(As(operator_).get(), bad, &again);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("settings.tenant_id"),
            std::string::npos);

  ASSERT_TRUE(SetZone(acme_, "Europe/Berlin").ok());  // configured: listed
  v1::ListTenantsRequest list;
  list.set_page_size(1);
  std::vector<std::string> listed;
  do {
    v1::ListTenantsResponse page;
    ASSERT_TRUE(tenants->ListTenants(As(operator_).get(), list, &page).ok());
    for (const auto& t : page.tenants()) listed.push_back(t.tenant_id());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(listed, (std::vector<std::string>{"acme", "initech"}));

  // An admin may not mint operator keys through the API.
  v1::CreateKeyRequest key;
  key.set_role(v1::OPERATOR);
  key.set_name("sneaky");
  v1::CreateKeyResponse minted;
  EXPECT_EQ(v1::KeyService::NewStub(channel_)
                ->CreateKey(As(acme_).get(), key, &minted)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TenantsTest, BadSettingsAreRefusedNamingTheFieldAndChangeNothing) {
  ASSERT_TRUE(SetZone(acme_, "Europe/Moscow").ok());
  const std::string before = DataDigest();
  const grpc::Status zone = SetZone(acme_, "Mars/Olympus");
  EXPECT_EQ(zone.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(zone.error_message().find("settings.time_zone"), std::string::npos)
      << zone.error_message();

  auto update = [&](const std::function<void(v1::TenantSettings*)>& edit,
                    const std::string& path) {
    v1::UpdateTenantSettingsRequest request;
    *request.mutable_settings() = Settings(acme_);
    edit(request.mutable_settings());
    request.mutable_update_mask()->add_paths(path);
    v1::UpdateTenantSettingsResponse response;
    return v1::TenantService::NewStub(channel_)->UpdateTenantSettings(
        As(acme_).get(), request, &response);
  };
  const grpc::Status no_days =
      update([](v1::TenantSettings* s) { s->mutable_retention()->set_days(0); },
             "retention");
  EXPECT_EQ(no_days.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(no_days.error_message().find("settings.retention.days"),
            std::string::npos);
  const grpc::Status century = update(
      [](v1::TenantSettings* s) { s->mutable_retention()->set_years(100); },
      "retention");
  EXPECT_NE(century.error_message().find("settings.retention.years"),
            std::string::npos);
  const grpc::Status unknown = update([](v1::TenantSettings*) {}, "colour");
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unknown.error_message().find("update_mask"), std::string::npos);
  const grpc::Status rate = update(
      [](v1::TenantSettings* s) {
        s->mutable_rate_limit()->set_per_second(-1);
      },
      "rate_limit");
  EXPECT_NE(rate.error_message().find("settings.rate_limit.per_second"),
            std::string::npos);
  const grpc::Status fixed = update(
      [](v1::TenantSettings* s) { s->set_tenant_id("globex"); }, "tenant_id");
  EXPECT_EQ(fixed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A reader may not change settings.
  EXPECT_EQ(SetZone(acme_reader_, "UTC").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DataDigest(), before);
  EXPECT_EQ(Settings(acme_).time_zone(), "Europe/Moscow");
}

}  // namespace
}  // namespace plaudit::testing
