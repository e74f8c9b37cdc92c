// What a careless or hostile client does, against the real plauditd binary
// with a low descriptor limit: it keeps serving everyone else, its memory
// stays bounded, and nothing is lost or paid twice. Waits are on conditions
// with generous deadlines; nothing here asserts how long anything took.
#include <sys/resource.h>

#include <fstream>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plaudit/v1/account_service.grpc.pb.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "plaudit/v1/rule_service.grpc.pb.h"
#include "services/auth/api_key.h"
#include "services/common/grpc_status.h"
#include "tests/fixtures/plauditd_process.h"
#include "tests/fixtures/redis_server.h"
#include "tools/abuse/attacks.h"

namespace plaudit::testing {
namespace {

using abuse::OwnChannel;

// Polls `done` until it holds or `limit` passes.
bool Eventually(const std::function<bool()>& done,
                absl::Duration limit = absl::Seconds(60)) {
  const absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(50));  // polling another process
  }
  return done();
}

v1::Event Event(const std::string& id, const std::string& actor) {
  v1::Event event;
  event.set_event_id(id);
  event.set_action("post.created");
  event.set_actor_id(actor);
  return event;
}

grpc::Status Record(const std::shared_ptr<grpc::Channel>& channel,
                    const v1::Event& event, bool wait_for_ready = false) {
  auto stub = v1::EventService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  context.set_wait_for_ready(wait_for_ready);
  v1::RecordEventRequest request;
  *request.mutable_event() = event;
  v1::RecordEventResponse response;
  return stub->RecordEvent(&context, request, &response);
}

// A keys file with one key of `role` for tenant "default"; its secret.
std::string WriteKeyFile(const std::string& path, v1::Role role) {
  v1::KeyFile file;
  NewKey key = GenerateKey("default", role, "test");
  *file.add_keys() = key.record;
  std::string json;
  google::protobuf::util::MessageToJsonString(file, &json);
  std::ofstream(path) << json;
  return key.secret;
}

class AbuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // This process opens many sockets too.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    redis_ = RedisServer::Start();
  }

  std::unique_ptr<PlauditdProcess> Start(std::vector<std::string> flags,
                                         int descriptor_limit = 256) {
    flags.push_back("--insecure_open_mode");
    return PlauditdProcess::Start(redis_->address(), flags, descriptor_limit);
  }

  std::unique_ptr<RedisServer> redis_;
};

// ~2,000 connections against a limit of 256 descriptors: those beyond what
// the limit allows are closed at once, connections already open and Redis
// keep working, and once the flood is gone new clients are served.
TEST_F(AbuseTest, RunningOutOfDescriptorsIsSurvivedAndForgotten) {
  auto plauditd =
      Start({"--handshake_timeout=10m", "--reserved_descriptors=32"});
  auto before = OwnChannel(plauditd->address());
  ASSERT_TRUE(Record(before, Event("before", "ann")).ok());

  abuse::SilentConnections flood(plauditd->port(), 2000, "");
  ASSERT_GT(flood.opened(), 1000);
  ASSERT_TRUE(Eventually([&] {
    return plauditd->Metric(
               "plaudit_connections_refused_total{reason=\"descriptors\"}") >
           500;
  })) << plauditd->Log();
  EXPECT_TRUE(Eventually([&] { return flood.ClosedByServer() > 500; }));

  // The open connection still works, and so do Redis reconnects: the
  // descriptors kept back are there for them.
  ASSERT_TRUE(redis_->client().Run({"CLIENT", "KILL", "TYPE", "normal"}).ok());
  EXPECT_TRUE(Eventually([&] {
    return Record(before, Event("during", "ann")).ok();
  })) << plauditd->Log();

  flood.CloseAll();
  auto after = OwnChannel(plauditd->address());
  EXPECT_TRUE(Eventually([&] {
    return Record(after, Event("after", "ann")).ok();
  })) << plauditd->Log();
  EXPECT_TRUE(plauditd->alive());
  const std::string log = plauditd->Log();
  // One line per burst, not one per refused connection.
  size_t lines = 0;
  for (size_t at = log.find("refusing connections"); at != std::string::npos;
       at = log.find("refusing connections", at + 1)) {
    ++lines;
  }
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 10u) << log;
}

TEST_F(AbuseTest, ConnectionsBeyondTheCapAreClosedAtOnce) {
  auto plauditd = Start({"--handshake_timeout=10m", "--max_connections=50"});
  abuse::SilentConnections flood(plauditd->port(), 80, "");
  ASSERT_EQ(flood.opened(), 80);
  EXPECT_TRUE(Eventually([&] { return flood.ClosedByServer() >= 30; }));
  EXPECT_EQ(
      plauditd->Metric(
          "plaudit_connections_refused_total{reason=\"max_connections\"}"),
      30);
  EXPECT_EQ(plauditd->Metric("plaudit_connections_open"), 50);
  flood.CloseAll();
  auto client = OwnChannel(plauditd->address());
  EXPECT_TRUE(
      Eventually([&] { return Record(client, Event("e1", "ann")).ok(); }));
}

// Connections that never finish their handshake, or open HTTP/2 and then
// never call, are closed (gRPC's transport timers run on real time: these
// wait for a condition, with a generous deadline, and time nothing).
TEST_F(AbuseTest, SilentConnectionsAreClosedAfterTheHandshakeTimeout) {
  auto plauditd = Start({"--handshake_timeout=1s", "--idle_timeout=0"});
  abuse::SilentConnections silent(plauditd->port(), 20, "");
  EXPECT_TRUE(Eventually([&] { return silent.ClosedByServer() == 20; }));
  EXPECT_TRUE(Eventually(
      [&] { return plauditd->Metric("plaudit_connections_open") == 0; }));
}

TEST_F(AbuseTest, IdleHttp2ConnectionsAreClosedAfterTheIdleTimeout) {
  auto plauditd = Start({"--handshake_timeout=10m", "--idle_timeout=1s"});
  abuse::SilentConnections idle(plauditd->port(), 20, abuse::Http2Preface());
  EXPECT_TRUE(Eventually([&] { return idle.ClosedByServer() == 20; }));
  EXPECT_TRUE(Eventually(
      [&] { return plauditd->Metric("plaudit_connections_open") == 0; }));
}

// 300 streams send 40 KB chunks and never read an answer, while Redis
// stalls writes: the bytes held stay within the budget and the rest waits
// on the wire; unary calls still find the quarter kept for them until it
// is full too, then hear SERVER_BUSY at once; nothing is lost.
TEST_F(AbuseTest, UnreadStreamsHoldOnlyWhatTheBudgetAllows) {
  constexpr int64_t kBudget = 4 << 20;
  auto plauditd = Start(
      {absl::StrCat("--max_inflight_bytes=", kBudget), "--redis_timeout=60s"});
  ASSERT_TRUE(
      redis_->client().Run({"CLIENT", "PAUSE", "600000", "WRITE"}).ok());
  abuse::UnreadStreams::Options options;
  options.streams = 300;
  options.channels = 6;
  abuse::UnreadStreams streams(plauditd->address(), options);

  EXPECT_TRUE(Eventually([&] {
    return plauditd->Metric("plaudit_stream_chunks_held_total") >= 100;
  })) << plauditd->Log();
  // Each stream got at most: a window of 8 chunks, one held, and what
  // HTTP/2 flow control lets onto the wire (64 KiB, under 2 chunks).
  EXPECT_LE(streams.chunks_sent(), options.streams * 11);
  EXPECT_LT(streams.chunks_sent(), streams.chunks_attempted() / 2);
  const double held = plauditd->Metric("plaudit_inflight_request_bytes");
  EXPECT_GT(held, kBudget / 2);
  EXPECT_LE(held, kBudget * 3 / 4 + (64 << 10)) << "streams leave a quarter";

  // Unary calls get the quarter left; beyond, SERVER_BUSY with a delay.
  auto events = v1::EventService::NewStub(OwnChannel(plauditd->address()));
  constexpr int kBatches = 30;
  std::vector<grpc::ClientContext> contexts(kBatches);
  std::vector<v1::RecordEventsRequest> batches(kBatches);
  std::vector<v1::RecordEventsResponse> answers(kBatches);
  std::vector<grpc::Status> statuses(kBatches);
  absl::BlockingCounter answered(kBatches);
  for (int b = 0; b < kBatches; ++b) {
    for (int e = 0; e < 500; ++e) {  // 500 x 340 bytes each
      v1::Event* event = batches[b].add_events();
      *event = Event(absl::StrCat("batch-", b, "-", e), "ann");
      (*event->mutable_attributes())["padding"] = std::string(300, 'x');
    }
    events->async()->RecordEvents(&contexts[b], &batches[b], &answers[b],
                                  [&, b](grpc::Status status) {
                                    statuses[b] = std::move(status);
                                    answered.DecrementCount();
                                  });
  }
  EXPECT_TRUE(Eventually([&] {
    return plauditd->Metric("plaudit_requests_shed_total") >= 10;
  })) << plauditd->Log();

  ASSERT_TRUE(redis_->client().Run({"CLIENT", "UNPAUSE"}).ok());
  streams.Cancel();
  answered.Wait();
  int busy = 0, recorded = 0;
  for (const grpc::Status& status : statuses) {
    if (status.ok()) ++recorded;
    if (ErrorReasonOf(status) == "SERVER_BUSY") {
      ++busy;
      EXPECT_TRUE(RetryDelayOf(status).has_value());
    }
  }
  EXPECT_GE(busy, 10);
  EXPECT_GE(recorded, 1) << "the quarter kept for unary calls";
  EXPECT_EQ(busy + recorded, kBatches);
  EXPECT_TRUE(Eventually(
      [&] { return plauditd->Metric("plaudit_inflight_request_bytes") == 0; }));
  EXPECT_TRUE(plauditd->alive());
}

// Redis stalls after the award script was sent: the caller hears
// DEADLINE_EXCEEDED (or UNAVAILABLE), yet Redis applies the event moments
// later. A resend, as the API tells clients to do, pays nothing twice.
TEST_F(AbuseTest, AWriteThatTimedOutMayHaveBeenAppliedAndIsSafeToResend) {
  auto plauditd = Start({"--redis_timeout=300ms"});
  auto channel = OwnChannel(plauditd->address());
  {
    auto rules = v1::RuleService::NewStub(channel);
    grpc::ClientContext context;
    v1::CreateRuleRequest request;
    v1::Rule* rule = request.mutable_rule();
    rule->set_rule_id("post");
    rule->set_action("post.created");
    rule->set_recipient(v1::Rule::ACTOR);
    rule->set_points(10);
    v1::CreateRuleResponse response;
    ASSERT_TRUE(rules->CreateRule(&context, request, &response).ok());
  }
  ASSERT_TRUE(Record(channel, Event("warm-up", "bob")).ok());
  std::thread stall([&] {
    RedisOptions options;
    options.address = redis_->address();
    options.timeout = absl::Seconds(10);
    auto sleeper = RedisClient::Create(options);
    ASSERT_TRUE(sleeper.ok());
    (*sleeper)->Run({"DEBUG", "SLEEP", "3"}).IgnoreError();
  });
  // Sends until one call fails: Redis is asleep by then. The events sent
  // before (if any) went through; they are not what this test is about.
  grpc::Status first;
  std::string late;
  int recorded = 0;
  for (int i = 0; i < 100; ++i) {
    late = absl::StrCat("late-", i);
    first = Record(channel, Event(late, "ann"));
    if (!first.ok()) break;
    ++recorded;
  }
  stall.join();
  ASSERT_TRUE(first.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
              first.error_code() == grpc::StatusCode::UNAVAILABLE)
      << first.error_code() << " " << first.error_message();
  if (first.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    // The script had reached Redis, which applies it once awake.
    EXPECT_TRUE(Eventually([&] {
      absl::StatusOr<RedisValue> exists = redis_->client().Run(
          {"EXISTS", absl::StrCat("plaudit:{default}:event:", late)});
      return exists.ok() && exists->integer == 1;
    }));
  }
  auto resend = [&] {
    auto stub = v1::EventService::NewStub(channel);
    grpc::ClientContext context;
    v1::RecordEventRequest request;
    *request.mutable_event() = Event(late, "ann");
    v1::RecordEventResponse response;
    const grpc::Status status = stub->RecordEvent(&context, request, &response);
    return status.ok() ? response.outcome() : v1::EventOutcome();
  };
  v1::EventOutcome again;
  EXPECT_TRUE(Eventually([&] {
    again = resend();
    return again.event_id() == late;
  }));
  if (first.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    EXPECT_TRUE(again.duplicate());
  }
  EXPECT_TRUE(resend().duplicate());
  // Whatever the first send did, the event is paid exactly once.
  auto accounts = v1::AccountService::NewStub(channel);
  grpc::ClientContext context;
  v1::GetBalanceRequest request;
  request.set_user_id("ann");
  v1::GetBalanceResponse balance;
  ASSERT_TRUE(accounts->GetBalance(&context, request, &balance).ok());
  EXPECT_EQ(balance.balance().balance(), 10 * (recorded + 1));
}

// Thousands of made-up keys from one address: after a burst they are
// refused without a Redis lookup, logged once per burst, counted; a key
// that was good before keeps working.
TEST_F(AbuseTest, FailedAuthenticationIsThrottledPerPeer) {
  const std::string path = absl::StrCat(getenv("TEST_TMPDIR"), "/keys.json");
  const std::string secret = WriteKeyFile(path, v1::ADMIN);
  auto plauditd =
      PlauditdProcess::Start(redis_->address(), {"--keys_file=" + path}, 256);
  auto channel = OwnChannel(plauditd->address());
  auto good_call = [&] {
    auto stub = v1::AccountService::NewStub(channel);
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + secret);
    v1::GetBalanceRequest request;
    request.set_user_id("ann");
    v1::GetBalanceResponse response;
    return stub->GetBalance(&context, request, &response);
  };
  ASSERT_TRUE(good_call().ok());

  const int64_t lookups_before = redis_->CommandCalls("get");
  const abuse::AuthFlood flood =
      abuse::FloodWithWrongKeys(channel, "default", 2000);
  const int64_t lookups = redis_->CommandCalls("get") - lookups_before;
  EXPECT_EQ(flood.other, 0);
  EXPECT_GT(flood.throttled, 1500);
  EXPECT_LT(flood.unauthenticated, 500);
  EXPECT_LE(lookups, flood.unauthenticated);  // a throttled attempt costs none
  EXPECT_GT(plauditd->Metric(
                "plaudit_auth_failures_total{reason=\"AUTH_THROTTLED\"}"),
            1500);
  EXPECT_TRUE(good_call().ok()) << "a key verified before is not throttled";

  const std::string log = plauditd->Log();
  size_t lines = 0;
  for (size_t at = log.find("authentication failed from");
       at != std::string::npos;
       at = log.find("authentication failed from", at + 1)) {
    ++lines;
  }
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 10u) << log;
}

}  // namespace
}  // namespace plaudit::testing
