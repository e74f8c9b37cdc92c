// Notifications against a real redis-server and a real gRPC server: every
// change worth telling is in the outbox once (written by the script that
// makes it), in its users' inboxes, and on the watch stream, which resumes
// from a cursor without gaps or repeats.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/notifications/digest_scheduler.h"
#include "services/notifications/outbox_trimmer.h"
#include "services/store/keys.h"
#include "services/store/stream_id.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

class NotificationsTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
    CreateRule("like", "like", v1::Rule::SUBJECT, 2);
    UpsertUser("ann", {"dept:sales"});
    UpsertUser("bob", {"dept:ops"});
  }

  // The outbox as Redis holds it: kinds in order.
  std::vector<std::string> OutboxKinds() {
    std::vector<std::string> kinds;
    const auto entries =
        redis_->client().Run({"XRANGE", KeySchema("acme").Outbox(), "-", "+"});
    EXPECT_TRUE(entries.ok());
    for (const RedisValue& entry : entries->elements) {
      const auto& fields = entry.elements.at(1).elements;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str == "k") kinds.push_back(fields[i + 1].str);
      }
    }
    return kinds;
  }

  v1::ListNotificationsResponse Inbox(const std::string& user,
                                      bool unread_only = false,
                                      int page_size = 0,
                                      const std::string& token = "") {
    v1::ListNotificationsRequest request;
    request.set_user_id(user);
    request.set_unread_only(unread_only);
    request.set_page_size(page_size);
    request.set_page_token(token);
    v1::ListNotificationsResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        client_->notifications->ListNotifications(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::MarkNotificationsReadResponse MarkRead(const std::string& user,
                                             const std::string& up_to) {
    v1::MarkNotificationsReadRequest request;
    request.set_user_id(user);
    request.set_up_to(up_to);
    v1::MarkNotificationsReadResponse response;
    grpc::ClientContext context;
    const grpc::Status status = client_->notifications->MarkNotificationsRead(
        &context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  struct Watch {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::Notification>> reader;

    v1::Notification Next() {
      v1::Notification notification;
      EXPECT_TRUE(reader->Read(&notification)) << "the stream ended";
      return notification;
    }
  };

  // A watch stream that has begun (its cursor is fixed) when this returns.
  std::unique_ptr<Watch> StartWatch(v1::WatchNotificationsRequest request,
                                    Client* client = nullptr) {
    auto watch = std::make_unique<Watch>();
    watch->context.set_deadline(absl::ToChronoTime(absl::Now() +
                                                   absl::Seconds(60)));
    watch->reader = (client ? client : client_.get())
                        ->notifications->WatchNotifications(&watch->context,
                                                            request);
    watch->reader->WaitForInitialMetadata();
    return watch;
  }

  void Like(const std::string& id, const std::string& by,
            const std::string& author) {
    Record(MakeEvent(id, "like", by, author, "post-" + id));
  }

  void Adjust(const std::string& user, int64_t delta,
              const std::string& request_id) {
    v1::AdjustBalanceRequest request;
    request.set_user_id(user);
    request.set_delta(delta);
    request.set_reason("Hackathon");
    request.set_request_id(request_id);
    v1::AdjustBalanceResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        client_->accounts->AdjustBalance(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
};

TEST_F(NotificationsTest, AnAwardIsToldOnceToThePaidUser) {
  Like("l1", "bob", "ann");
  Like("l1", "bob", "ann");  // a retry: nothing new
  Record(MakeEvent("v1", "page.viewed", "ann"));  // no rule: nothing paid

  EXPECT_EQ(OutboxKinds(), std::vector<std::string>{"award.paid"});
  const auto inbox = Inbox("ann");
  ASSERT_EQ(inbox.notifications_size(), 1);
  const v1::Notification& told = inbox.notifications(0);
  EXPECT_EQ(told.kind(), "award.paid");
  EXPECT_EQ(told.tenant(), "acme");
  EXPECT_EQ(std::vector<std::string>(told.user_ids().begin(),
                                     told.user_ids().end()),
            std::vector<std::string>{"ann"});
  const v1::AwardPaid& paid = told.award_paid();
  EXPECT_EQ(paid.event_id(), "l1");
  EXPECT_EQ(paid.action(), "like");
  EXPECT_EQ(paid.actor_id(), "bob");
  EXPECT_EQ(paid.subject_id(), "ann");
  ASSERT_EQ(paid.awards_size(), 1);
  EXPECT_EQ(paid.awards(0).user_id(), "ann");
  EXPECT_EQ(paid.awards(0).points(), 2);
  EXPECT_EQ(paid.awards(0).rule_id(), "like");
  EXPECT_EQ(paid.balances().at("ann"), 2);
  EXPECT_EQ(inbox.unread_count(), 1);
  EXPECT_EQ(Inbox("bob").notifications_size(), 0);  // bob was not paid
}

TEST_F(NotificationsTest, RetractionsAdjustmentsAndRedemptionsAreTold) {
  Like("l1", "bob", "ann");
  v1::RetractEventRequest retract;
  retract.set_event_id("l1");
  v1::RetractEventResponse retracted;
  grpc::ClientContext retract_context;
  ASSERT_TRUE(
      client_->events->RetractEvent(&retract_context, retract, &retracted).ok());
  Adjust("ann", 500, "grant-1");

  v1::CreateRewardRequest create;
  create.mutable_reward()->set_reward_id("day-off");
  create.mutable_reward()->set_title("A day off");
  create.mutable_reward()->set_cost(100);
  create.mutable_reward()->set_requires_approval(true);
  v1::CreateRewardResponse created;
  grpc::ClientContext create_context;
  ASSERT_TRUE(client_->rewards->CreateReward(&create_context, create, &created).ok());
  auto redeem = [&](const std::string& request_id) {
    v1::RedeemRequest request;
    request.set_user_id("ann");
    request.set_reward_id("day-off");
    request.set_quantity(1);
    request.set_request_id(request_id);
    v1::RedeemResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(client_->rewards->Redeem(&context, request, &response).ok());
    return response.redemption().redemption_id();
  };
  const std::string first = redeem("r1");
  {
    v1::ApproveRedemptionRequest request;
    request.set_redemption_id(first);
    v1::ApproveRedemptionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rewards->ApproveRedemption(&context, request, &response).ok());
  }
  {
    v1::FulfillRedemptionRequest request;
    request.set_redemption_id(first);
    v1::FulfillRedemptionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rewards->FulfillRedemption(&context, request, &response).ok());
  }
  const std::string second = redeem("r2");
  {
    v1::RejectRedemptionRequest request;
    request.set_redemption_id(second);
    request.set_reason("not this quarter");
    v1::RejectRedemptionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rewards->RejectRedemption(&context, request, &response).ok());
  }
  const std::string third = redeem("r3");
  {
    v1::CancelRedemptionRequest request;
    request.set_redemption_id(third);
    request.set_user_id("ann");
    v1::CancelRedemptionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rewards->CancelRedemption(&context, request, &response).ok());
  }

  EXPECT_EQ(OutboxKinds(),
            (std::vector<std::string>{
                "award.paid", "event.retracted", "balance.adjusted",
                "redemption.placed", "redemption.approved",
                "redemption.fulfilled", "redemption.placed",
                "redemption.rejected", "redemption.placed",
                "redemption.cancelled"}));
  const auto inbox = Inbox("ann");
  ASSERT_EQ(inbox.notifications_size(), 10);
  // Newest first.
  const v1::RedemptionChanged& cancelled =
      inbox.notifications(0).redemption_changed();
  EXPECT_EQ(cancelled.redemption_id(), third);
  EXPECT_EQ(cancelled.status(), v1::Redemption::CANCELLED);
  EXPECT_EQ(cancelled.balance(), 400);  // refunded
  const v1::RedemptionChanged& rejected =
      inbox.notifications(2).redemption_changed();
  EXPECT_EQ(rejected.status(), v1::Redemption::REJECTED);
  EXPECT_EQ(rejected.reason(), "not this quarter");
  EXPECT_EQ(rejected.reward_title(), "A day off");
  EXPECT_EQ(rejected.points(), 100);
  EXPECT_EQ(rejected.balance(), 400);
  const v1::RedemptionChanged& placed =
      inbox.notifications(3).redemption_changed();
  EXPECT_EQ(placed.status(), v1::Redemption::PENDING);
  EXPECT_EQ(placed.balance(), 300);
  const v1::BalanceAdjusted& adjusted =
      inbox.notifications(7).balance_adjusted();
  EXPECT_EQ(adjusted.delta(), 500);
  EXPECT_EQ(adjusted.balance(), 500);
  EXPECT_EQ(adjusted.reason(), "Hackathon");
  EXPECT_EQ(adjusted.request_id(), "grant-1");
  const v1::EventRetracted& retraction =
      inbox.notifications(8).event_retracted();
  EXPECT_EQ(retraction.event_id(), "l1");
  ASSERT_EQ(retraction.reversals_size(), 1);
  EXPECT_EQ(retraction.reversals(0).points(), -2);
  EXPECT_EQ(retraction.balances().at("ann"), 0);
}

TEST_F(NotificationsTest, HundredConcurrentAwardsAreHundredNotifications) {
  auto send_all = [&] {
    std::vector<std::thread> threads;
    for (int t = 0; t < 10; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 10; ++i) Like(absl::StrCat("c", t, "-", i), "bob", "ann");
      });
    }
    for (auto& thread : threads) thread.join();
  };
  send_all();
  send_all();  // every one again: duplicates tell nothing
  EXPECT_EQ(OutboxKinds().size(), 100u);
  std::set<std::string> events;
  std::string token;
  int pages = 0;
  do {
    const auto page = Inbox("ann", false, 30, token);
    for (const auto& n : page.notifications()) {
      EXPECT_TRUE(events.insert(n.award_paid().event_id()).second)
          << n.award_paid().event_id() << " told twice";
    }
    token = page.next_page_token();
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(events.size(), 100u);
  EXPECT_EQ(pages, 4);
}

TEST_F(NotificationsTest, TheInboxCountsUnreadAndMarksNeverMoveBack) {
  for (int i = 0; i < 5; ++i) Like(absl::StrCat("l", i), "bob", "ann");
  auto inbox = Inbox("ann");
  ASSERT_EQ(inbox.notifications_size(), 5);
  EXPECT_EQ(inbox.unread_count(), 5);
  EXPECT_EQ(inbox.read_up_to(), "");
  // Newest first: l4 ... l0.
  EXPECT_EQ(inbox.notifications(0).award_paid().event_id(), "l4");
  const std::string third_newest = inbox.notifications(2).id();

  auto marked = MarkRead("ann", third_newest);
  EXPECT_EQ(marked.read_up_to(), third_newest);
  EXPECT_EQ(marked.unread_count(), 2);
  const auto unread = Inbox("ann", /*unread_only=*/true);
  ASSERT_EQ(unread.notifications_size(), 2);
  EXPECT_EQ(unread.notifications(1).award_paid().event_id(), "l3");
  // An older mark changes nothing.
  marked = MarkRead("ann", inbox.notifications(4).id());
  EXPECT_EQ(marked.read_up_to(), third_newest);
  EXPECT_EQ(marked.unread_count(), 2);
  // A later id than any: no further than the newest.
  marked = MarkRead("ann", "99999999999999-0");
  EXPECT_EQ(marked.read_up_to(), inbox.notifications(0).id());
  Like("l8", "bob", "ann");
  EXPECT_EQ(Inbox("ann").unread_count(), 1);
  // Empty: everything so far.
  marked = MarkRead("ann", "");
  EXPECT_EQ(marked.read_up_to(), Inbox("ann").notifications(0).id());
  EXPECT_EQ(marked.unread_count(), 0);
  Like("l9", "bob", "ann");
  EXPECT_EQ(Inbox("ann").unread_count(), 1);
  // A user with nothing: an empty inbox, not an error.
  EXPECT_EQ(MarkRead("zed", "").unread_count(), 0);
}

TEST_F(NotificationsTest, TheWatchStreamFollowsWithFilters) {
  Like("before", "bob", "ann");  // before the watch: not on it
  auto all = StartWatch({});
  v1::WatchNotificationsRequest bobs;
  bobs.set_user_id("bob");
  auto only_bob = StartWatch(bobs);
  v1::WatchNotificationsRequest adjustments;
  adjustments.add_kinds("balance.adjusted");
  auto only_adjustments = StartWatch(adjustments);

  Like("l1", "bob", "ann");
  Like("l2", "ann", "bob");
  Adjust("ann", 5, "g1");

  const v1::Notification first = all->Next();
  EXPECT_EQ(first.award_paid().event_id(), "l1");
  const v1::Notification second = all->Next();
  EXPECT_EQ(second.award_paid().event_id(), "l2");
  EXPECT_LT(StreamId::Parse(first.id()).value(),
            StreamId::Parse(second.id()).value());
  EXPECT_EQ(all->Next().kind(), "balance.adjusted");
  EXPECT_EQ(only_bob->Next().award_paid().event_id(), "l2");
  EXPECT_EQ(only_adjustments->Next().balance_adjusted().request_id(), "g1");
  // Nothing else came in between: the next is the next change.
  Adjust("bob", 7, "g2");
  EXPECT_EQ(only_bob->Next().balance_adjusted().request_id(), "g2");
  EXPECT_EQ(only_adjustments->Next().balance_adjusted().request_id(), "g2");
}

TEST_F(NotificationsTest, AWatcherThatFellFarBehindCatchesUpInOrder) {
  auto watch = StartWatch({});
  // More than the feed keeps in memory, while the watcher does not read.
  for (int chunk = 0; chunk < 3; ++chunk) {
    v1::RecordEventsRequest request;
    for (int i = 0; i < 500; ++i) {
      *request.add_events() =
          MakeEvent(absl::StrCat("p", chunk, "-", i), "post.created", "ann");
    }
    v1::RecordEventsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->events->RecordEvents(&context, request, &response).ok());
  }
  for (int chunk = 0; chunk < 3; ++chunk) {
    for (int i = 0; i < 500; ++i) {
      const v1::Notification n = watch->Next();
      ASSERT_EQ(n.award_paid().event_id(), absl::StrCat("p", chunk, "-", i));
    }
  }
}

TEST_F(NotificationsTest, TheWatchResumesAfterARestartWithoutGapsOrRepeats) {
  auto watch = StartWatch({});
  for (int i = 0; i < 5; ++i) Like(absl::StrCat("a", i), "bob", "ann");
  watch->Next();
  const std::string cursor = watch->Next().id();  // two read, three not
  watch->context.TryCancel();
  watch.reset();

  client_.reset();
  server_ = StartServer(Options());  // a restart (a new process's port)
  client_ = std::make_unique<Client>(server_->port());
  for (int i = 0; i < 3; ++i) Like(absl::StrCat("b", i), "bob", "ann");

  v1::WatchNotificationsRequest resume;
  resume.set_after(cursor);
  watch = StartWatch(resume);
  for (const char* id : {"a2", "a3", "a4", "b0", "b1", "b2"}) {
    EXPECT_EQ(watch->Next().award_paid().event_id(), id);
  }
  Like("c0", "bob", "ann");
  EXPECT_EQ(watch->Next().award_paid().event_id(), "c0");
}

TEST_F(NotificationsTest, ACursorTheOutboxNoLongerKeepsIsOutOfRange) {
  Like("l1", "bob", "ann");
  const std::string old = Inbox("ann").notifications(0).id();
  // As the outbox's trimming records it.
  ASSERT_TRUE(redis_->client()
                  .Run({"SET", KeySchema("acme").OutboxTrimmed(),
                        "99999999999999-0"})
                  .ok());
  v1::WatchNotificationsRequest request;
  request.set_after(old);
  grpc::ClientContext context;
  auto reader = client_->notifications->WatchNotifications(&context, request);
  v1::Notification ignored;
  EXPECT_FALSE(reader->Read(&ignored));
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(ErrorReasonOf(status), "CURSOR_EXPIRED");
}

// The outbox keeps what is younger than its retention, and what a webhook
// endpoint still needs (here nobody delivers) up to twice that.
TEST_F(NotificationsTest, TheOutboxIsTrimmedByAgeButKeepsWhatEndpointsNeed) {
  const absl::Time start = absl::FromUnixSeconds(1'796'000'000);
  clock_->Set(start);
  ServerOptions options = Options();
  options.notifications.retention = absl::Hours(25);
  options.notifications.webhook_retry_for = absl::Hours(24);
  options.notifications.deliver_webhooks = false;
  options.notifications.trim_every = absl::Hours(1);  // the test trims
  client_.reset();
  server_ = StartServer(options);
  client_ = std::make_unique<Client>(server_->port());
  OutboxTrimmerOptions trim;
  trim.retention = absl::Hours(25);
  trim.every = absl::Hours(1);
  OutboxTrimmer trimmer(&redis_->client(), [clock = clock_] { return clock->Now(); },
                        [] { return std::vector<std::string>{"acme"}; }, trim);
  const KeySchema keys("acme");
  auto length = [&] { return redis_->client().Run({"XLEN", keys.Outbox()})->integer; };
  auto trimmed = [&] { return redis_->client().Run({"GET", keys.OutboxTrimmed()})->str; };
  auto trim_at = [&](absl::Duration age) {
    clock_->Set(start + age);
    trimmer.Trim();
  };
  Like("l1", "bob", "ann");
  Like("l2", "bob", "ann");
  trim_at(absl::Hours(24));
  EXPECT_EQ(length(), 2);  // young
  EXPECT_EQ(trimmed(), "");
  trim_at(absl::Hours(26));
  EXPECT_EQ(length(), 0);  // past the retention
  EXPECT_EQ(trimmed(), absl::StrCat(absl::ToUnixMillis(start + absl::Hours(1)), "-0"));
  // The inbox still lists them, by kind and time.
  const v1::ListNotificationsResponse inbox = Inbox("ann");
  ASSERT_EQ(inbox.notifications_size(), 2);
  EXPECT_EQ(inbox.notifications(0).kind(), "award.paid");
  EXPECT_EQ(inbox.notifications(0).time().seconds(), absl::ToUnixSeconds(start));
  EXPECT_EQ(inbox.notifications(0).payload_case(), v1::Notification::PAYLOAD_NOT_SET);

  // An endpoint's consumer group that has not taken them holds them.
  clock_->Set(start + absl::Hours(30));
  v1::CreateWebhookRequest create;
  create.mutable_webhook()->set_webhook_id("portal");
  create.mutable_webhook()->set_url("http://127.0.0.1:9/hook");
  v1::CreateWebhookResponse created;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->webhooks->CreateWebhook(&context, create, &created).ok());
  Like("l3", "bob", "ann");
  Like("l4", "bob", "ann");
  trim_at(absl::Hours(30 + 26));
  EXPECT_EQ(length(), 2);  // past the retention, still needed: kept
  trim_at(absl::Hours(30 + 51));
  EXPECT_EQ(length(), 0);  // twice past: let go
}

// Once the tenant's day has ended, each manager is told of their team's
// day (Europe/Moscow here), once however many replicas look.
TEST_F(NotificationsTest, ManagersGetTheirTeamsDailyDigestOnce) {
  const absl::TimeZone moscow = *[] {
    absl::TimeZone zone;
    absl::LoadTimeZone("Europe/Moscow", &zone);
    return std::optional<absl::TimeZone>(zone);
  }();
  const absl::Time morning = absl::FromCivil(absl::CivilSecond(2026, 12, 7, 10, 0, 0), moscow);
  clock_->Set(morning);
  ServerOptions options = Options();
  options.notifications.digest_every = absl::Milliseconds(20);
  client_.reset();
  server_ = StartServer(options);
  client_ = std::make_unique<Client>(server_->port());
  auto sync = [&](const std::string& id, const std::string& manager) {
    v1::UpsertUserRequest request;
    request.mutable_user()->set_user_id(id);
    request.mutable_user()->set_display_name("User " + id);
    request.mutable_user()->set_manager_id(manager);
    v1::UpsertUserResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->users->UpsertUser(&context, request, &response).ok());
  };
  sync("boss", "");
  for (const char* member : {"ann", "bob", "cid"}) sync(member, "boss");
  Record(MakeEvent("p1", "post.created", "ann"));
  Record(MakeEvent("p2", "post.created", "ann"));
  Like("l1", "ann", "bob");  // 2 for bob
  v1::AdjustBalanceRequest grant;
  grant.set_user_id("bob");
  grant.set_delta(5);
  grant.set_reason("helped");
  grant.set_request_id("g1");
  v1::AdjustBalanceResponse granted;
  grpc::ClientContext grant_context;
  ASSERT_TRUE(client_->accounts->AdjustBalance(&grant_context, grant, &granted).ok());
  // The next day's events are not the day's.
  clock_->Set(morning + absl::Hours(14) + absl::Minutes(30));  // 00:30 next day
  Record(MakeEvent("p3", "post.created", "cid"));

  // (The day before, told that morning, was a quiet one.)
  auto digests = [&] {
    std::vector<v1::Notification> found;
    const v1::ListNotificationsResponse inbox = Inbox("boss");
    for (const auto& n : inbox.notifications()) {
      if (n.kind() == "digest.daily" && n.daily_digest().day() == "2026-12-07") {
        found.push_back(n);
      }
    }
    return found;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (digests().empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(digests().size(), 1u);
  const v1::DailyDigest digest = digests()[0].daily_digest();
  EXPECT_EQ(digest.manager_id(), "boss");
  EXPECT_EQ(digest.day(), "2026-12-07");
  EXPECT_EQ(digest.points(), 27);  // ann 20, bob 2 + 5
  EXPECT_EQ(digest.members(), 3);
  EXPECT_EQ(digest.active_members(), 2);
  ASSERT_EQ(digest.top_members_size(), 2);
  EXPECT_EQ(digest.top_members(0).user_id(), "ann");
  EXPECT_EQ(digest.top_members(0).points(), 20);
  EXPECT_EQ(digest.top_members(0).display_name(), "");  // no names kept
  EXPECT_EQ(digest.top_members(1).user_id(), "bob");
  EXPECT_EQ(std::vector<std::string>(digest.quiet_user_ids().begin(),
                                     digest.quiet_user_ids().end()),
            std::vector<std::string>{"cid"});
  EXPECT_EQ(digest.awards_by_action().at("post.created"), 2);
  EXPECT_EQ(digest.awards_by_action().at("like"), 1);

  // Another replica looking again makes none.
  DigestScheduler again(&redis_->client(), [clock = clock_] { return clock->Now(); },
                        [] { return std::vector<std::string>{"acme"}; },
                        [&](const std::string&) -> absl::StatusOr<DigestTenant> {
                          return DigestTenant{moscow, {}};
                        },
                        DigestOptions{absl::Hours(1), 500});
  EXPECT_EQ(again.Run(), 0);
  EXPECT_EQ(digests().size(), 1u);
}

TEST_F(NotificationsTest, BadRequestsNameTheField) {
  auto watch_error = [&](v1::WatchNotificationsRequest request) {
    grpc::ClientContext context;
    auto reader = client_->notifications->WatchNotifications(&context, request);
    v1::Notification ignored;
    EXPECT_FALSE(reader->Read(&ignored));
    return reader->Finish();
  };
  v1::WatchNotificationsRequest kinds;
  kinds.add_kinds("award.paid");
  kinds.add_kinds("award.paidd");
  grpc::Status status = watch_error(kinds);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("kinds[1]:", 0), 0u) << status.error_message();
  v1::WatchNotificationsRequest after;
  after.set_after("yesterday");
  status = watch_error(after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("after:", 0), 0u) << status.error_message();

  v1::ListNotificationsRequest list;
  list.set_user_id("ann");
  list.set_page_size(101);
  v1::ListNotificationsResponse listed;
  grpc::ClientContext list_context;
  status = client_->notifications->ListNotifications(&list_context, list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("page_size:", 0), 0u) << status.error_message();

  const std::string digest = DataDigest();
  v1::MarkNotificationsReadRequest mark;
  mark.set_user_id("ann");
  mark.set_up_to("17");
  v1::MarkNotificationsReadResponse marked;
  grpc::ClientContext mark_context;
  status = client_->notifications->MarkNotificationsRead(&mark_context, mark, &marked);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("up_to:", 0), 0u) << status.error_message();
  EXPECT_EQ(DataDigest(), digest);
}

}  // namespace
}  // namespace plaudit::testing
