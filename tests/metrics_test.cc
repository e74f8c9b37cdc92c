// /metrics after a known workload: every counter moved by exactly what the
// workload did, the output passes `promtool check metrics`, and every
// metric the Grafana dashboard and the alert rules use exists.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/fixtures/plaudit_fixture.h"
#include "tests/fixtures/webhook_receiver.h"

namespace plaudit::testing {
namespace {

// A plain HTTP/1.0 GET of /metrics on loopback.
std::string Scrape(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  const std::string request = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
  send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
    response.append(buffer, n);
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// The value of the sample written exactly as `series` (0 when absent).
double Sample(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double value = 0;
      absl::SimpleAtod(line.substr(series.size() + 1), &value);
      return value;
    }
  }
  return 0;
}

// Names of the metric families in an exposition (from "# TYPE" lines).
std::set<std::string> Families(const std::string& text) {
  std::set<std::string> names;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, "# TYPE ")) continue;
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() >= 3) names.insert(parts[2]);
  }
  return names;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class MetricsTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    ServerOptions options = Options();
    options.metrics_listen = "127.0.0.1:0";
    options.build = {"1.2.3", "abc123"};
    observed_ = StartServer(options);
    ASSERT_NE(observed_, nullptr);
    ASSERT_NE(observed_->metrics_port(), 0);
    client_ = std::make_unique<Client>(observed_->port());
    // The observed server alone: webhook deliveries are its to count.
    server_.reset();
  }
  void TearDown() override {
    client_.reset();
    observed_.reset();
    PlauditTest::TearDown();
  }
  std::unique_ptr<PlauditServer> observed_;
};

TEST_F(MetricsTest, CountersMoveByExactlyTheWorkload) {
  const std::string before = Scrape(observed_->metrics_port());
  ASSERT_FALSE(before.empty());

  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  CreateRule("like", "like", v1::Rule::SUBJECT, 2, /*daily_limit=*/1);
  CreateRule("spam", "post.flagged", v1::Rule::ACTOR, -5);
  Record(MakeEvent("p1", "post.created", "ann"));
  Record(MakeEvent("p2", "post.created", "bob"));
  Record(MakeEvent("p3", "post.created", "ann"));
  Record(MakeEvent("p1", "post.created", "ann"));  // a duplicate
  Record(MakeEvent("l1", "like", "bob", "ann", "p1"));
  Record(MakeEvent("l2", "like", "cai", "ann", "p1"));  // over the limit
  Record(MakeEvent("f1", "post.flagged", "bob"));
  v1::EventOutcome ignored;
  EXPECT_FALSE(Record(MakeEvent("", "post.created", "ann"), &ignored).ok());
  v1::RetractEventRequest retract;
  retract.set_event_id("p3");
  v1::RetractEventResponse retracted;
  grpc::ClientContext retract_context;
  ASSERT_TRUE(client_->events->RetractEvent(&retract_context, retract, &retracted).ok());

  v1::CreateRewardRequest reward;
  reward.mutable_reward()->set_reward_id("mug");
  reward.mutable_reward()->set_title("Mug");
  reward.mutable_reward()->set_cost(7);
  reward.mutable_reward()->set_requires_approval(true);
  v1::CreateRewardResponse created;
  grpc::ClientContext reward_context;
  ASSERT_TRUE(client_->rewards->CreateReward(&reward_context, reward, &created).ok());
  v1::RedeemRequest redeem;
  redeem.set_user_id("ann");
  redeem.set_reward_id("mug");
  redeem.set_quantity(1);
  redeem.set_request_id("r1");
  v1::RedeemResponse redeemed;
  for (int i = 0; i < 2; ++i) {  // the second is a retry
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rewards->Redeem(&context, redeem, &redeemed).ok());
  }
  v1::ApproveRedemptionRequest approve;
  approve.set_redemption_id(redeemed.redemption().redemption_id());
  v1::ApproveRedemptionResponse approved;
  grpc::ClientContext approve_context;
  ASSERT_TRUE(client_->rewards->ApproveRedemption(&approve_context, approve, &approved).ok());

  // The same page twice, nothing written between: Redis, then memory.
  for (int i = 0; i < 2; ++i) {
    v1::GetLeaderboardRequest top;
    top.set_scope("global");
    top.set_period(v1::ALL_TIME);
    v1::GetLeaderboardResponse page;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->leaderboards->GetLeaderboard(&context, top, &page).ok());
  }

  const std::string after = Scrape(observed_->metrics_port());
  auto delta = [&](const std::string& series) {
    return Sample(after, series) - Sample(before, series);
  };
  EXPECT_EQ(delta(R"(plaudit_events_recorded_total{action="post.created"})"), 3);
  EXPECT_EQ(delta(R"(plaudit_events_recorded_total{action="like"})"), 2);
  EXPECT_EQ(delta(R"(plaudit_events_recorded_total{action="post.flagged"})"), 1);
  EXPECT_EQ(delta("plaudit_events_duplicate_total"), 1);
  EXPECT_EQ(delta(R"(plaudit_points_awarded_total{action="post.created"})"), 30);
  EXPECT_EQ(delta(R"(plaudit_points_awarded_total{action="like"})"), 2);
  EXPECT_EQ(delta(R"(plaudit_points_deducted_total{action="post.flagged"})"), 5);
  EXPECT_EQ(delta(R"(plaudit_awards_refused_total{reason="DAILY_LIMIT"})"), 1);
  EXPECT_EQ(delta("plaudit_retractions_total"), 1);
  EXPECT_EQ(delta(R"(plaudit_redemptions_total{status="PENDING"})"), 1);
  EXPECT_EQ(delta(R"(plaudit_redemptions_total{status="APPROVED"})"), 1);
  EXPECT_EQ(delta("plaudit_points_redeemed_total"), 7);
  EXPECT_EQ(delta(R"(plaudit_leaderboard_pages_total{source="redis"})"), 1);
  EXPECT_EQ(delta(R"(plaudit_leaderboard_pages_total{source="memory"})"), 1);
  EXPECT_EQ(delta(R"(plaudit_grpc_requests_total{code="OK",method="/plaudit.v1.EventService/RecordEvent"})"), 7);
  EXPECT_EQ(delta(R"(plaudit_grpc_requests_total{code="INVALID_ARGUMENT",method="/plaudit.v1.EventService/RecordEvent"})"), 1);
  EXPECT_EQ(delta(R"(plaudit_grpc_request_duration_seconds_count{method="/plaudit.v1.RewardService/Redeem"})"), 2);
  EXPECT_EQ(Sample(after, "plaudit_grpc_requests_in_flight"), 0);
  EXPECT_GT(delta("plaudit_redis_commands_total"), 10);
  EXPECT_GT(delta("plaudit_redis_round_trip_duration_seconds_count"), 10);
  EXPECT_EQ(Sample(after, R"(plaudit_build_info{revision="abc123",version="1.2.3"})"), 1);
  EXPECT_GT(Sample(after, "process_start_time_seconds"), 1.7e9);

  // promtool (Debian's prometheus package) accepts the exposition.
  const std::string file = absl::StrCat(getenv("TEST_TMPDIR"), "/metrics.txt");
  std::ofstream(file) << after;
  EXPECT_EQ(std::system(absl::StrCat("promtool check metrics < ", file).c_str()), 0);
}

TEST_F(MetricsTest, RedisOutagesAreCountedByKind) {
  const std::string before = Scrape(observed_->metrics_port());
  redis_->Kill();
  v1::EventOutcome outcome;
  EXPECT_FALSE(Record(MakeEvent("x", "post.created", "ann"), &outcome).ok());
  const std::string after = Scrape(observed_->metrics_port());
  EXPECT_GE(Sample(after, R"(plaudit_redis_errors_total{kind="unavailable"})") -
                Sample(before, R"(plaudit_redis_errors_total{kind="unavailable"})"),
            1);
  EXPECT_GE(Sample(after, R"(plaudit_redis_connects_total{result="failed"})"), 1);
  EXPECT_EQ(Sample(after, R"(plaudit_grpc_requests_total{code="UNAVAILABLE",method="/plaudit.v1.EventService/RecordEvent"})"), 1);
}

// A webhook delivery counted by endpoint and outcome, its lag observed;
// the outbox's length reported.
TEST_F(MetricsTest, WebhookDeliveriesAndTheOutboxAreMeasured) {
  auto receiver = WebhookReceiver::Start();
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  v1::CreateWebhookRequest create;
  create.mutable_webhook()->set_webhook_id("portal");
  create.mutable_webhook()->set_url(receiver->url());
  v1::CreateWebhookResponse created;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->webhooks->CreateWebhook(&context, create, &created).ok());
  Record(MakeEvent("p1", "post.created", "ann"));
  const std::string delivered =
      R"(plaudit_webhook_deliveries_total{outcome="delivered",webhook="acme/portal"})";
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string scraped;
  do {
    absl::SleepFor(absl::Milliseconds(20));
    scraped = Scrape(observed_->metrics_port());
  } while ((Sample(scraped, delivered) < 1 ||
            Sample(scraped, R"(plaudit_outbox_entries{tenant="acme"})") < 1) &&
           absl::Now() < deadline);
  EXPECT_EQ(Sample(scraped, delivered), 1);
  EXPECT_EQ(Sample(scraped, "plaudit_webhook_delivery_lag_seconds_count"), 1);
  EXPECT_EQ(Sample(scraped, R"(plaudit_outbox_entries{tenant="acme"})"), 1);
}

TEST_F(MetricsTest, DashboardAndAlertsUseOnlyMetricsThatExist) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  CreateRule("spam", "post.flagged", v1::Rule::ACTOR, -5);
  // A webhook, so that its families have series.
  auto receiver = WebhookReceiver::Start();
  v1::CreateWebhookRequest create;
  create.mutable_webhook()->set_webhook_id("portal");
  create.mutable_webhook()->set_url(receiver->url());
  v1::CreateWebhookResponse created;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->webhooks->CreateWebhook(&context, create, &created).ok());
  Record(MakeEvent("p1", "post.created", "ann"));
  Record(MakeEvent("f1", "post.flagged", "ann"));
  ASSERT_TRUE(receiver->WaitFor([](const auto& r) { return !r.empty(); }));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::set<std::string> families;
  do {  // the delivery is counted just after the receiver answers
    families = Families(Scrape(observed_->metrics_port()));
  } while (!families.count("plaudit_webhook_deliveries_total") &&
           absl::Now() < deadline);
  const std::regex metric(R"(plaudit_[a-z_]+)");
  for (const std::string path : {"deploy/grafana/plaudit-dashboard.json",
                                 "deploy/prometheus/alerts.yml"}) {
    const std::string text = ReadFile(path);
    ASSERT_FALSE(text.empty()) << path;
    int used = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), metric), end;
         it != end; ++it) {
      std::string name = it->str();
      for (const char* suffix : {"_bucket", "_count", "_sum"}) {
        if (absl::EndsWith(name, suffix) && !families.count(name)) {
          name = name.substr(0, name.size() - strlen(suffix));
        }
      }
      EXPECT_TRUE(families.count(name)) << path << " uses unknown " << it->str();
      ++used;
    }
    EXPECT_GT(used, 3) << path;
  }
  // The dashboard is valid JSON.
  google::protobuf::Struct dashboard;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile("deploy/grafana/plaudit-dashboard.json"), &dashboard)
                  .ok());
  // promtool accepts the alert rules.
  EXPECT_EQ(std::system("promtool check rules deploy/prometheus/alerts.yml"), 0);
}

}  // namespace
}  // namespace plaudit::testing
