// Three plauditd processes on one Redis deliver to one endpoint; the one
// delivering is killed with kill -9 in the middle of a delivery. Once its
// lease runs out on the replicas' clock (a file the test moves on, never a
// real wait), another replica claims what it had read and delivers all of
// it, in order; nothing is lost.
#include <signal.h>

#include <fstream>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "plaudit/v1/rule_service.grpc.pb.h"
#include "plaudit/v1/webhook_service.grpc.pb.h"
#include "services/store/keys.h"
#include "tests/fixtures/plauditd_process.h"
#include "tests/fixtures/redis_server.h"
#include "tests/fixtures/webhook_receiver.h"

namespace plaudit::testing {
namespace {

// Polls `done` until it holds or `limit` passes.
bool Eventually(const std::function<bool()>& done,
                absl::Duration limit = absl::Seconds(60)) {
  const absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));  // polling other processes
  }
  return done();
}

class WebhookFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisServer::Start();
    char dir[] = "/tmp/plaudit-clock.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    clock_file_ = std::string(dir) + "/now";
    SetClock(absl::FromUnixSeconds(1'796'000'000));
    for (int i = 0; i < 3; ++i) {
      replicas_.push_back(PlauditdProcess::Start(
          redis_->address(),
          {"--insecure_open_mode", "--tenant=acme", "--webhook_allow_private",
           "--clock_file=" + clock_file_}));
    }
  }

  void SetClock(absl::Time now) {
    now_ = now;
    const std::string partial = clock_file_ + ".partial";
    std::ofstream(partial) << absl::ToUnixMillis(now) << "\n";
    std::rename(partial.c_str(), clock_file_.c_str());
  }

  std::shared_ptr<grpc::Channel> Channel(const PlauditdProcess& process) {
    return grpc::CreateChannel(process.address(),
                               grpc::InsecureChannelCredentials());
  }

  // The pid of the replica holding the endpoint's lease (its consumer
  // name is host-pid-random).
  pid_t Holder() {
    auto holder = redis_->client().Run(
        {"HGET", KeySchema("acme").WebhookLease("portal"), "holder"});
    if (!holder.ok() || holder->is_nil()) return -1;
    const std::vector<std::string> parts = absl::StrSplit(holder->str, '-');
    int pid = -1;
    if (parts.size() < 3 || !absl::SimpleAtoi(parts[parts.size() - 2], &pid)) {
      return -1;
    }
    return pid;
  }

  std::unique_ptr<RedisServer> redis_;
  std::string clock_file_;
  absl::Time now_;
  std::vector<std::unique_ptr<PlauditdProcess>> replicas_;
};

TEST_F(WebhookFailoverTest, AKilledDeliverersEntriesAreClaimedAndDelivered) {
  auto receiver = WebhookReceiver::Start();
  // The first request hangs: its replica is killed while delivering it.
  receiver->AnswerWith([](const ReceivedRequest&, int n) {
    Answer answer;
    answer.hang = n == 0;
    return answer;
  });
  auto channel = Channel(*replicas_[0]);
  {
    v1::CreateRuleRequest request;
    request.mutable_rule()->set_rule_id("post");
    request.mutable_rule()->set_action("post.created");
    request.mutable_rule()->set_recipient(v1::Rule::ACTOR);
    request.mutable_rule()->set_points(10);
    v1::CreateRuleResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(v1::RuleService::NewStub(channel)
                    ->CreateRule(&context, request, &response)
                    .ok());
  }
  {
    v1::CreateWebhookRequest request;
    request.mutable_webhook()->set_webhook_id("portal");
    request.mutable_webhook()->set_url(receiver->url());
    v1::CreateWebhookResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(v1::WebhookService::NewStub(channel)
                    ->CreateWebhook(&context, request, &response)
                    .ok());
  }
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    const std::string id = absl::StrCat("e", i);
    sent.push_back(id);
    v1::RecordEventRequest request;
    request.mutable_event()->set_event_id(id);
    request.mutable_event()->set_action("post.created");
    request.mutable_event()->set_actor_id("ann");
    v1::RecordEventResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(v1::EventService::NewStub(Channel(*replicas_[i % 3]))
                    ->RecordEvent(&context, request, &response)
                    .ok());
  }
  ASSERT_TRUE(receiver->WaitFor([](const auto& r) { return r.size() >= 1; }));
  const pid_t holder = Holder();
  ASSERT_GT(holder, 0);
  for (auto& replica : replicas_) {
    if (replica != nullptr && replica->pid() == holder) replica.reset();  // kill -9
  }
  ASSERT_EQ(std::count(replicas_.begin(), replicas_.end(), nullptr), 1);

  // Nothing moves while the dead holder's lease lasts; past it, another
  // replica takes over.
  SetClock(now_ + absl::Seconds(31));
  ASSERT_TRUE(receiver->WaitFor([](const auto& r) { return r.size() >= 21; },
                                absl::Seconds(60)));
  EXPECT_NE(Holder(), holder);
  const auto requests = receiver->received();
  std::vector<std::string> delivered;
  for (size_t i = 1; i < requests.size(); ++i) {  // [0] hung, never answered
    v1::Notification notification;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(requests[i].body,
                                                           &notification)
                    .ok());
    delivered.push_back(notification.award_paid().event_id());
  }
  EXPECT_EQ(delivered, sent);
  EXPECT_EQ(requests[0].Header("webhook-id"), requests[1].Header("webhook-id"));
}

}  // namespace
}  // namespace plaudit::testing
