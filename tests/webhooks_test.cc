// Webhooks against a real redis-server, real plauditd replicas and real
// HTTP receivers on port 0: signed as the Standard Webhooks scheme says,
// in order, retried on the injected clock until delivered or dead, never
// twice to an endpoint however many replicas run, and a hanging endpoint
// holds back only itself.
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "services/notifications/webhook_signature.h"
#include "tests/fixtures/plaudit_fixture.h"
#include "tests/fixtures/webhook_receiver.h"

namespace plaudit::testing {
namespace {

class WebhooksTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    clock_->Set(start_);
    CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
    UpsertUser("ann", {"dept:sales"});
    UpsertUser("bob", {"dept:ops"});
    receiver_ = WebhookReceiver::Start();
  }

  void TearDown() override {
    receiver_.reset();
    PlauditTest::TearDown();
  }

  grpc::Status Create(const v1::Webhook& webhook, std::string* secret,
                      const std::string& given_secret = "",
                      Client* client = nullptr) {
    v1::CreateWebhookRequest request;
    *request.mutable_webhook() = webhook;
    request.set_secret(given_secret);
    v1::CreateWebhookResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        (client ? client : client_.get())
            ->webhooks->CreateWebhook(&context, request, &response);
    if (secret != nullptr) *secret = response.secret();
    return status;
  }

  // An endpoint at `url` taking every kind; its secret.
  std::string Endpoint(const std::string& id, const std::string& url) {
    v1::Webhook webhook;
    webhook.set_webhook_id(id);
    webhook.set_url(url);
    std::string secret;
    const grpc::Status status = Create(webhook, &secret);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return secret;
  }

  v1::Webhook Get(const std::string& id) {
    v1::GetWebhookRequest request;
    request.set_webhook_id(id);
    v1::GetWebhookResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(client_->webhooks->GetWebhook(&context, request, &response).ok());
    return response.webhook();
  }

  std::vector<v1::Delivery> Deliveries(const std::string& id, bool failed_only) {
    v1::ListDeliveriesRequest request;
    request.set_webhook_id(id);
    request.set_failed_only(failed_only);
    request.set_page_size(100);
    v1::ListDeliveriesResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        client_->webhooks->ListDeliveries(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.deliveries().begin(), response.deliveries().end()};
  }

  void Post(const std::string& id, const std::string& actor = "ann") {
    Record(MakeEvent(id, "post.created", actor));
  }

  // The event ids of the award.paid notifications a receiver took (2xx),
  // in the order they came.
  static std::vector<std::string> Delivered(
      const std::vector<ReceivedRequest>& requests,
      const std::set<int>& failed = {}) {
    std::vector<std::string> events;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (failed.count(static_cast<int>(i))) continue;
      v1::Notification notification;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(
                      requests[i].body, &notification)
                      .ok())
          << requests[i].body;
      events.push_back(notification.award_paid().event_id());
    }
    return events;
  }

  // Waits (the clock stands still) until `done` holds.
  static bool WaitUntil(const std::function<bool()>& done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (!done() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
    return done();
  }

  // Moves the clock on until `done` holds (each step past any backoff).
  bool AdvanceUntil(const std::function<bool()>& done,
                    absl::Duration step = absl::Minutes(2)) {
    for (int i = 0; i < 200; ++i) {
      if (done()) return true;
      now_ += step;
      clock_->Set(now_);
      absl::SleepFor(absl::Milliseconds(30));  // a few dispatcher ticks
    }
    return done();
  }

  const absl::Time start_ = absl::FromUnixSeconds(1'796'000'000);
  absl::Time now_ = start_;
  std::unique_ptr<WebhookReceiver> receiver_;
};

TEST_F(WebhooksTest, NotificationsArriveSignedAndInOrder) {
  const std::string secret = Endpoint("portal", receiver_->url());
  for (const char* id : {"e1", "e2", "e3"}) Post(id);
  ASSERT_TRUE(receiver_->WaitFor([](const auto& r) { return r.size() >= 3; }));
  const auto requests = receiver_->received();
  EXPECT_EQ(Delivered(requests), (std::vector<std::string>{"e1", "e2", "e3"}));
  const std::string key = *WebhookSecretKey("secret", secret);
  std::set<std::string> ids;
  for (const ReceivedRequest& request : requests) {
    EXPECT_EQ(request.Header("content-type"), "application/json");
    const std::string id = request.Header("webhook-id");
    EXPECT_TRUE(ids.insert(id).second);
    EXPECT_EQ(request.Header("webhook-timestamp"),
              absl::StrCat(absl::ToUnixSeconds(start_)));
    EXPECT_EQ(request.Header("webhook-signature"),
              SignWebhook(key, id, absl::ToUnixSeconds(start_), request.body));
    v1::Notification notification;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(request.body,
                                                           &notification)
                    .ok());
    EXPECT_EQ(notification.id(), id);  // receivers dedupe on it
    EXPECT_EQ(notification.kind(), "award.paid");
  }
  EXPECT_EQ(Get("portal").state(), v1::Webhook::ACTIVE);
  EXPECT_EQ(Deliveries("portal", false).size(), 3u);
}

TEST_F(WebhooksTest, AReceiverFailingThreeTimesGetsEachOnceAfterRetries) {
  receiver_->AnswerWith([](const ReceivedRequest&, int n) {
    Answer answer;
    if (n < 3) answer.status = 503;
    return answer;
  });
  Endpoint("portal", receiver_->url());
  Post("e1");
  Post("e2");
  ASSERT_TRUE(WaitUntil([&] { return Get("portal").state() == v1::Webhook::RETRYING; }));
  ASSERT_TRUE(AdvanceUntil([&] { return receiver_->received().size() >= 5; }));
  const auto requests = receiver_->received();
  // The first three were e1 (refused); then e1 once and e2 once, in order.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Delivered({requests[i]}), std::vector<std::string>{"e1"});
  }
  EXPECT_EQ(Delivered(requests, {0, 1, 2}),
            (std::vector<std::string>{"e1", "e2"}));
  const v1::Webhook webhook = Get("portal");
  EXPECT_EQ(webhook.state(), v1::Webhook::ACTIVE);
  EXPECT_EQ(webhook.status().consecutive_failures(), 0);
  EXPECT_EQ(webhook.status().last_error(), "");
}

TEST_F(WebhooksTest, AReceiverThatWasDownGetsEverythingInOrder) {
  Endpoint("portal", receiver_->url());
  receiver_->Down();
  for (int i = 0; i < 5; ++i) Post(absl::StrCat("e", i));
  // Attempts fail meanwhile (connection refused), the backoff grows.
  ASSERT_TRUE(AdvanceUntil([&] {
    return Get("portal").status().consecutive_failures() >= 3;
  }, absl::Seconds(30)));
  EXPECT_TRUE(absl::StrContains(Get("portal").status().last_error(),
                                "Connection refused") ||
              absl::StrContains(Get("portal").status().last_error(), "connect"))
      << Get("portal").status().last_error();
  receiver_->Up();
  ASSERT_TRUE(AdvanceUntil([&] { return receiver_->received().size() >= 5; }));
  EXPECT_EQ(Delivered(receiver_->received()),
            (std::vector<std::string>{"e0", "e1", "e2", "e3", "e4"}));
}

TEST_F(WebhooksTest, UndeliveredPastTheRetryPeriodIsADeadLetterToRedeliver) {
  receiver_->AnswerWith([](const ReceivedRequest&, int) {
    Answer answer;
    answer.status = 500;
    return answer;
  });
  Endpoint("portal", receiver_->url());
  Post("e1");
  Post("e2");
  ASSERT_TRUE(receiver_->WaitFor([](const auto& r) { return r.size() >= 1; }));
  ASSERT_TRUE(AdvanceUntil([&] { return Deliveries("portal", true).size() >= 2; },
                           absl::Hours(1)));
  const std::vector<v1::Delivery> dead = Deliveries("portal", true);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].notification().award_paid().event_id(), "e2");  // newest first
  EXPECT_EQ(dead[1].notification().award_paid().event_id(), "e1");
  EXPECT_EQ(dead[1].outcome(), v1::Delivery::DEAD);
  EXPECT_EQ(dead[1].http_status(), 500);

  receiver_->AnswerWith([](const ReceivedRequest&, int) { return Answer(); });
  const size_t before = receiver_->received().size();
  v1::RedeliverNotificationRequest redeliver;
  redeliver.set_webhook_id("portal");
  redeliver.set_notification_id(dead[1].notification_id());
  v1::RedeliverNotificationResponse redelivered;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->webhooks
                  ->RedeliverNotification(&context, redeliver, &redelivered)
                  .ok());
  ASSERT_TRUE(AdvanceUntil([&] {
    return receiver_->received().size() > before &&
           Deliveries("portal", true).size() == 1;
  }));
  const auto requests = receiver_->received();
  EXPECT_EQ(requests.back().Header("webhook-id"), dead[1].notification_id());
  EXPECT_EQ(Deliveries("portal", true)[0].notification_id(),
            dead[0].notification_id());
  // Not a dead letter: NOT_FOUND.
  redeliver.set_notification_id("1-0");
  grpc::ClientContext again;
  EXPECT_EQ(client_->webhooks->RedeliverNotification(&again, redeliver,
                                                      &redelivered)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(WebhooksTest, ErasureTakesAUsersDeadLettersToo) {
  receiver_->AnswerWith([](const ReceivedRequest&, int) {
    Answer answer;
    answer.status = 500;
    return answer;
  });
  Endpoint("portal", receiver_->url());
  Post("e1", "ann");
  Post("e2", "bob");
  ASSERT_TRUE(AdvanceUntil([&] { return Deliveries("portal", true).size() >= 2; },
                           absl::Hours(1)));
  v1::DeactivateUserRequest deactivate;
  deactivate.set_user_id("ann");
  deactivate.set_reason("left the company");
  v1::DeactivateUserResponse deactivated;
  grpc::ClientContext deactivate_context;
  ASSERT_TRUE(client_->users->DeactivateUser(&deactivate_context, deactivate,
                                             &deactivated).ok());
  v1::EraseUserRequest erase;
  erase.set_user_id("ann");
  v1::EraseUserResponse erased;
  grpc::ClientContext erase_context;
  ASSERT_TRUE(client_->users->EraseUser(&erase_context, erase, &erased).ok());
  EXPECT_GE(erased.notifications_erased(), 2);  // the outbox's and the letter
  const std::vector<v1::Delivery> dead = Deliveries("portal", true);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].notification().award_paid().event_id(), "e2");
}

TEST_F(WebhooksTest, GoneDisablesTheEndpoint) {
  receiver_->AnswerWith([](const ReceivedRequest&, int) {
    Answer answer;
    answer.status = 410;
    return answer;
  });
  Endpoint("portal", receiver_->url());
  Post("e1");
  ASSERT_TRUE(AdvanceUntil(
      [&] { return Get("portal").state() == v1::Webhook::DISABLED; }));
  EXPECT_TRUE(absl::StrContains(Get("portal").status().disabled_reason(), "410"));
  Post("e2");
  for (int i = 0; i < 10; ++i) {  // time passes: nothing more comes
    now_ += absl::Minutes(10);
    clock_->Set(now_);
    absl::SleepFor(absl::Milliseconds(30));
  }
  EXPECT_EQ(receiver_->received().size(), 1u);
}

TEST_F(WebhooksTest, KindsAndGroupsFilter) {
  auto ops = WebhookReceiver::Start();
  v1::Webhook adjustments;
  adjustments.set_webhook_id("adjustments");
  adjustments.set_url(receiver_->url());
  adjustments.add_kinds("balance.adjusted");
  ASSERT_TRUE(Create(adjustments, nullptr).ok());
  v1::Webhook ops_only;
  ops_only.set_webhook_id("ops");
  ops_only.set_url(ops->url());
  ops_only.set_group("dept:ops");
  ASSERT_TRUE(Create(ops_only, nullptr).ok());

  Post("ann-post", "ann");
  Post("bob-post", "bob");
  v1::AdjustBalanceRequest adjust;
  adjust.set_user_id("ann");
  adjust.set_delta(5);
  adjust.set_reason("thanks");
  adjust.set_request_id("g1");
  v1::AdjustBalanceResponse adjusted;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->accounts->AdjustBalance(&context, adjust, &adjusted).ok());
  Post("bob-post-2", "bob");

  ASSERT_TRUE(ops->WaitFor([](const auto& r) { return r.size() >= 2; }));
  ASSERT_TRUE(receiver_->WaitFor([](const auto& r) { return r.size() >= 1; }));
  EXPECT_EQ(Delivered(ops->received()),
            (std::vector<std::string>{"bob-post", "bob-post-2"}));
  const auto taken = receiver_->received();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_TRUE(absl::StrContains(taken[0].body, "\"balance.adjusted\""));
}

TEST_F(WebhooksTest, AHangingEndpointHoldsBackOnlyItself) {
  auto hanging = WebhookReceiver::Start();
  hanging->AnswerWith([](const ReceivedRequest&, int) {
    Answer answer;
    answer.hang = true;
    return answer;
  });
  Endpoint("stuck", hanging->url());
  Endpoint("portal", receiver_->url());
  Post("e0");
  ASSERT_TRUE(hanging->WaitFor([](const auto& r) { return r.size() >= 1; }));
  // The stuck one waits on its timeout (10 s); the other takes each at once.
  for (int i = 1; i <= 5; ++i) {
    Post(absl::StrCat("e", i));
    const size_t want = static_cast<size_t>(i) + 1;
    ASSERT_TRUE(receiver_->WaitFor(
        [want](const auto& r) { return r.size() >= want; }, absl::Seconds(2)))
        << i;
  }
  EXPECT_EQ(hanging->received().size(), 1u);
  hanging->Down();
}

TEST_F(WebhooksTest, RedirectsHugeAnswersAndRotationAreBounded) {
  // A redirect is a failure (never followed); a 10 MB answer to a 200 is a
  // delivery (read up to a bound, then cut).
  receiver_->AnswerWith([](const ReceivedRequest&, int n) {
    Answer answer;
    if (n == 0) {
      answer.status = 302;
      answer.location = "http://169.254.169.254/latest/meta-data";
    } else {
      answer.body_bytes = 10 << 20;
    }
    return answer;
  });
  const std::string old_secret = Endpoint("portal", receiver_->url());
  Post("e1");
  ASSERT_TRUE(AdvanceUntil([&] {
    const auto deliveries = Deliveries("portal", false);
    return !deliveries.empty() &&
           deliveries.front().outcome() == v1::Delivery::DELIVERED;
  }));
  EXPECT_EQ(Deliveries("portal", false).back().http_status(), 302);
  EXPECT_EQ(receiver_->received().size(), 2u);

  // While a secret is rotated both sign.
  v1::RotateWebhookSecretRequest rotate;
  rotate.set_webhook_id("portal");
  v1::RotateWebhookSecretResponse rotated;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->webhooks->RotateWebhookSecret(&context, rotate, &rotated).ok());
  ASSERT_NE(rotated.secret(), old_secret);
  absl::SleepFor(absl::Milliseconds(1200));  // the dispatcher reads it again
  Post("e2");
  ASSERT_TRUE(receiver_->WaitFor([](const auto& r) { return r.size() >= 3; }));
  const ReceivedRequest last = receiver_->received().back();
  const int64_t ts = absl::ToUnixSeconds(now_);
  const std::string id = last.Header("webhook-id");
  EXPECT_EQ(last.Header("webhook-signature"),
            absl::StrCat(SignWebhook(*WebhookSecretKey("s", rotated.secret()), id,
                                     ts, last.body),
                         " ",
                         SignWebhook(*WebhookSecretKey("s", old_secret), id, ts,
                                     last.body)));
}

TEST_F(WebhooksTest, BadEndpointsAreRefusedNamingTheField) {
  ServerOptions options = Options();
  options.notifications.webhook_allow_private = false;
  std::unique_ptr<PlauditServer> strict = StartServer(options);
  Client client(strict->port());
  const std::string digest = DataDigest();
  struct Bad {
    const char* field;
    std::function<void(v1::Webhook*, std::string*)> spoil;
  };
  const Bad cases[] = {
      {"webhook.url", [](v1::Webhook* w, std::string*) { w->set_url("ftp://x.example.com/"); }},
      {"webhook.url", [](v1::Webhook* w, std::string*) { w->set_url("http://127.0.0.1:9/"); }},
      {"webhook.url", [](v1::Webhook* w, std::string*) { w->set_url("http://10.0.0.7/hook"); }},
      {"webhook.url", [](v1::Webhook* w, std::string*) { w->set_url(""); }},
      {"webhook.kinds[1]", [](v1::Webhook* w, std::string*) {
         w->add_kinds("award.paid");
         w->add_kinds("award.payed");
       }},
      {"webhook.group", [](v1::Webhook* w, std::string*) { w->set_group("sales"); }},
      {"webhook.webhook_id", [](v1::Webhook* w, std::string*) { w->set_webhook_id("a b"); }},
      {"secret", [](v1::Webhook*, std::string* s) { *s = "whsec_c2hvcnQ="; }},
  };
  for (const Bad& bad : cases) {
    v1::Webhook webhook;
    webhook.set_webhook_id("portal");
    webhook.set_url("https://hooks.example.com/plaudit");
    std::string secret;
    bad.spoil(&webhook, &secret);
    const grpc::Status status = Create(webhook, nullptr, secret, &client);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.field;
    EXPECT_EQ(status.error_message().rfind(absl::StrCat(bad.field, ":"), 0), 0u)
        << status.error_message();
  }
  EXPECT_EQ(DataDigest(), digest);
  // A public host is fine; the same id twice is not.
  v1::Webhook good;
  good.set_webhook_id("portal");
  good.set_url("https://hooks.example.com/plaudit");
  EXPECT_TRUE(Create(good, nullptr, "", &client).ok());
  EXPECT_EQ(Create(good, nullptr, "", &client).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(WebhooksTest, ThreeReplicasDeliverEachNotificationOnce) {
  auto second = StartReplica();
  auto third = StartReplica();
  Endpoint("portal", receiver_->url());
  Client via_second(second->port()), via_third(third->port());
  std::vector<std::string> sent;
  for (int i = 0; i < 30; ++i) {
    const std::string id = absl::StrCat("e", i);
    sent.push_back(id);
    v1::RecordEventRequest request;
    *request.mutable_event() = MakeEvent(id, "post.created", "ann");
    v1::RecordEventResponse response;
    grpc::ClientContext context;
    Client& client = i % 3 == 0 ? *client_ : i % 3 == 1 ? via_second : via_third;
    ASSERT_TRUE(client.events->RecordEvent(&context, request, &response).ok());
  }
  ASSERT_TRUE(receiver_->WaitFor([](const auto& r) { return r.size() >= 30; }));
  absl::SleepFor(absl::Milliseconds(300));  // any second delivery would come
  EXPECT_EQ(Delivered(receiver_->received()), sent);
}

}  // namespace
}  // namespace plaudit::testing
