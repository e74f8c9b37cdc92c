// EventService against a real redis-server: idempotency under concurrency,
// daily limits, once per object, groups, retraction, batches.
#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

// Runs fn(i) for i in [0, n) on n threads at once.
template <typename Fn>
void RunConcurrently(int n, Fn fn) {
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) threads.emplace_back([&fn, i] { fn(i); });
  for (auto& thread : threads) thread.join();
}

using EventsTest = PlauditTest;

TEST_F(EventsTest, PaysByRuleAndWritesTheLedger) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  const v1::EventOutcome outcome =
      Record(MakeEvent("e1", "post.created", "ann", "", "post-1"));
  ASSERT_EQ(outcome.awards_size(), 1);
  EXPECT_EQ(outcome.awards(0).user_id(), "ann");
  EXPECT_EQ(outcome.awards(0).points(), 10);
  EXPECT_EQ(outcome.awards(0).rule_id(), "post");
  EXPECT_FALSE(outcome.duplicate());

  EXPECT_EQ(Balance("ann").balance(), 10);
  EXPECT_EQ(Balance("ann").lifetime_earned(), 10);
  const auto ledger = Ledger("ann");
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].type(), v1::LedgerEntry::AWARD);
  EXPECT_EQ(ledger[0].delta(), 10);
  EXPECT_EQ(ledger[0].balance_after(), 10);
  EXPECT_EQ(ledger[0].reference(), "event:e1");
  EXPECT_EQ(ledger[0].rule_id(), "post");
}

TEST_F(EventsTest, AnEventNoRuleMatchesIsAcceptedWithoutAwards) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  const v1::EventOutcome outcome =
      Record(MakeEvent("e1", "poll.voted", "ann"));
  EXPECT_EQ(outcome.event_id(), "e1");
  EXPECT_EQ(outcome.awards_size(), 0);
  EXPECT_EQ(outcome.refusals_size(), 0);
  EXPECT_EQ(Balance("ann").balance(), 0);
}

TEST_F(EventsTest, TheSameEventSentConcurrentlyPaysOnce) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  const v1::Event event = MakeEvent("same", "post.created", "ann");
  std::atomic<int> first{0}, duplicates{0}, failures{0};
  RunConcurrently(100, [&](int) {
    v1::EventOutcome outcome;
    if (!Record(event, &outcome).ok()) {
      ++failures;
      return;
    }
    // Every reply carries the first outcome: 10 points for ann.
    if (outcome.awards_size() != 1 || outcome.awards(0).points() != 10) {
      ++failures;
    }
    (outcome.duplicate() ? duplicates : first)++;
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(first.load(), 1);
  EXPECT_EQ(duplicates.load(), 99);
  EXPECT_EQ(Balance("ann").balance(), 10);
  EXPECT_EQ(Ledger("ann").size(), 1u);
}

TEST_F(EventsTest, ConcurrentLikesStopAtTheDailyLimit) {
  CreateRule("like", "like", v1::Rule::SUBJECT, 2, /*daily_limit=*/50);
  std::atomic<int> paid{0}, limited{0}, failures{0};
  RunConcurrently(200, [&](int i) {
    v1::EventOutcome outcome;
    const auto event = MakeEvent(absl::StrCat("like-", i), "like",
                                 absl::StrCat("fan-", i), "author",
                                 absl::StrCat("post-", i));
    if (!Record(event, &outcome).ok()) {
      ++failures;
      return;
    }
    if (outcome.awards_size() == 1) ++paid;
    if (outcome.refusals_size() == 1 &&
        outcome.refusals(0).reason() == v1::Refusal::DAILY_LIMIT) {
      ++limited;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(paid.load(), 50);
  EXPECT_EQ(limited.load(), 150);
  EXPECT_EQ(Balance("author").balance(), 100);
  EXPECT_EQ(Ledger("author").size(), 50u);
}

TEST_F(EventsTest, DailyLimitCountsPerLocalDay) {
  CreateRule("like", "like", v1::Rule::SUBJECT, 2, /*daily_limit=*/1);
  // The tenant's zone is Europe/Moscow (UTC+3): 20:59 and 21:01 UTC fall on
  // two local days, so both pay.
  auto at = [](v1::Event event, int64_t unix_seconds) {
    event.mutable_occurred_at()->set_seconds(unix_seconds);
    return event;
  };
  const int64_t day_end_utc = 1'790'000'000 - 1'790'000'000 % 86400 + 21 * 3600;
  clock_->Set(absl::FromUnixSeconds(day_end_utc + 3600));
  EXPECT_EQ(Record(at(MakeEvent("a", "like", "x", "author"), day_end_utc - 60))
                .awards_size(), 1);
  EXPECT_EQ(Record(at(MakeEvent("b", "like", "y", "author"), day_end_utc - 30))
                .refusals(0).reason(), v1::Refusal::DAILY_LIMIT);
  EXPECT_EQ(Record(at(MakeEvent("c", "like", "z", "author"), day_end_utc + 60))
                .awards_size(), 1);
  EXPECT_EQ(Balance("author").balance(), 4);
}

TEST_F(EventsTest, LimitedRulesRefuseEventsTooLateForTheirDaysCount) {
  CreateRule("like", "like", v1::Rule::SUBJECT, 2, /*daily_limit=*/1);
  CreateRule("like-given", "like", v1::Rule::ACTOR, 1);
  clock_->Set(absl::FromUnixSeconds(1'790'000'000));
  v1::Event late = MakeEvent("late", "like", "fan", "author", "post-1");
  late.mutable_occurred_at()->set_seconds(1'790'000'000 - 9 * 86400);
  const v1::EventOutcome outcome = Record(late);
  // The unlimited rule still pays; the limited one cannot count that day.
  ASSERT_EQ(outcome.awards_size(), 1);
  EXPECT_EQ(outcome.awards(0).rule_id(), "like-given");
  ASSERT_EQ(outcome.refusals_size(), 1);
  EXPECT_EQ(outcome.refusals(0).reason(), v1::Refusal::TOO_LATE);
  // Six days late is fine.
  late.set_event_id("recent");
  late.mutable_occurred_at()->set_seconds(1'790'000'000 - 6 * 86400);
  EXPECT_EQ(Record(late).awards_size(), 2);
}

TEST_F(EventsTest, LikesFasterThanTheMinimumIntervalPayNothing) {
  v1::CreateRuleRequest request;
  v1::Rule* rule = request.mutable_rule();
  rule->set_rule_id("like-given");
  rule->set_action("like");
  rule->set_recipient(v1::Rule::ACTOR);
  rule->set_points(1);
  rule->set_min_interval_seconds(1);
  v1::CreateRuleResponse created;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->rules->CreateRule(&context, request, &created).ok());
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  clock_->Set(t0);
  EXPECT_EQ(Record(MakeEvent("l1", "like", "bot", "ann", "p1")).awards_size(), 1);
  clock_->Set(t0 + absl::Milliseconds(300));
  const v1::EventOutcome fast = Record(MakeEvent("l2", "like", "bot", "bob", "p2"));
  ASSERT_EQ(fast.refusals_size(), 1);
  EXPECT_EQ(fast.refusals(0).reason(), v1::Refusal::TOO_FAST);
  // Someone else is not slowed down by the bot.
  EXPECT_EQ(Record(MakeEvent("l3", "like", "ann", "bob", "p2")).awards_size(), 1);
  clock_->Set(t0 + absl::Milliseconds(1100));
  EXPECT_EQ(Record(MakeEvent("l4", "like", "bot", "cai", "p3")).awards_size(), 1);
  EXPECT_EQ(Balance("bot").balance(), 2);
}

TEST_F(EventsTest, ReciprocalLikeFarmingStopsPayingAtTheCap) {
  v1::CreateRuleRequest request;
  v1::Rule* rule = request.mutable_rule();
  rule->set_rule_id("like");
  rule->set_action("like");
  rule->set_recipient(v1::Rule::SUBJECT);
  rule->set_points(2);
  rule->set_max_reciprocal_per_day(2);
  v1::CreateRuleResponse created;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->rules->CreateRule(&context, request, &created).ok());
  EXPECT_EQ(Record(MakeEvent("a1", "like", "ann", "bob", "b-post-1")).awards_size(), 1);
  EXPECT_EQ(Record(MakeEvent("b1", "like", "bob", "ann", "a-post-1")).awards_size(), 1);
  const v1::EventOutcome third = Record(MakeEvent("a2", "like", "ann", "bob", "b-post-2"));
  ASSERT_EQ(third.refusals_size(), 1);
  EXPECT_EQ(third.refusals(0).reason(), v1::Refusal::RECIPROCAL_LIMIT);
  // Other pairs are unaffected.
  EXPECT_EQ(Record(MakeEvent("c1", "like", "cai", "bob", "b-post-2")).awards_size(), 1);
  EXPECT_EQ(Balance("bob").balance(), 4);
  EXPECT_EQ(Balance("ann").balance(), 2);
}

TEST_F(EventsTest, AnEventIdReusedForOtherContentIsRefused) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  Record(MakeEvent("e1", "post.created", "ann"));
  v1::EventOutcome outcome;
  const grpc::Status reused =
      Record(MakeEvent("e1", "post.created", "bob"), &outcome);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReasonOf(reused), "ID_REUSED");
  EXPECT_EQ(ErrorMetadataOf(reused, "field"), "event_id");
  EXPECT_NE(reused.error_message().find("e1"), std::string::npos);
  EXPECT_EQ(Balance("bob").balance(), 0);
  // The same content again is an ordinary repeat.
  EXPECT_TRUE(Record(MakeEvent("e1", "post.created", "ann")).duplicate());
}

TEST_F(EventsTest, WorksOverTcpToo) {
  ServerOptions options = Options();
  options.redis.address = redis_->tcp_address();
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  Client client(server->port());
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  v1::RecordEventRequest request;
  *request.mutable_event() = MakeEvent("tcp", "post.created", "ann");
  v1::RecordEventResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(client.events->RecordEvent(&context, request, &response).ok());
  EXPECT_EQ(Balance("ann").balance(), 10);
}

TEST_F(EventsTest, OncePerObjectPaysOnceEvenWhenRaced) {
  CreateRule("course", "training.completed", v1::Rule::ACTOR, 50, 0,
             /*once_per_object=*/true);
  std::atomic<int> paid{0};
  RunConcurrently(20, [&](int i) {
    v1::EventOutcome outcome;
    const auto event = MakeEvent(absl::StrCat("done-", i), "training.completed",
                                 "ann", "", "course-42");
    if (Record(event, &outcome).ok() && outcome.awards_size() == 1) ++paid;
  });
  EXPECT_EQ(paid.load(), 1);
  const v1::EventOutcome again = Record(MakeEvent(
      "done-again", "training.completed", "ann", "", "course-42"));
  ASSERT_EQ(again.refusals_size(), 1);
  EXPECT_EQ(again.refusals(0).reason(), v1::Refusal::ALREADY_PAID_FOR_OBJECT);
  // Another course, or another person on the same course, pays.
  EXPECT_EQ(Record(MakeEvent("d2", "training.completed", "ann", "", "course-7"))
                .awards_size(), 1);
  EXPECT_EQ(Record(MakeEvent("d3", "training.completed", "bob", "", "course-42"))
                .awards_size(), 1);
  EXPECT_EQ(Balance("ann").balance(), 100);
}

TEST_F(EventsTest, SelfActionsEarnNothing) {
  CreateRule("like", "like", v1::Rule::SUBJECT, 2);
  const v1::EventOutcome outcome =
      Record(MakeEvent("self", "like", "ann", "ann", "post-1"));
  EXPECT_EQ(outcome.awards_size(), 0);
  ASSERT_EQ(outcome.refusals_size(), 1);
  EXPECT_EQ(outcome.refusals(0).reason(), v1::Refusal::SELF_ACTION);
  EXPECT_EQ(Balance("ann").balance(), 0);
}

TEST_F(EventsTest, GroupRestrictedRulesPayOnlyMembers) {
  v1::CreateRuleRequest request;
  v1::Rule* rule = request.mutable_rule();
  rule->set_rule_id("kazan-attend");
  rule->set_action("event.attended");
  rule->set_recipient(v1::Rule::ACTOR);
  rule->set_points(20);
  rule->set_group("office:kazan");
  v1::CreateRuleResponse created;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->rules->CreateRule(&context, request, &created).ok());
  UpsertUser("ann", {"office:kazan", "dept:sales"});
  UpsertUser("bob", {"office:moscow"});

  EXPECT_EQ(Record(MakeEvent("a", "event.attended", "ann")).awards_size(), 1);
  const v1::EventOutcome bob = Record(MakeEvent("b", "event.attended", "bob"));
  ASSERT_EQ(bob.refusals_size(), 1);
  EXPECT_EQ(bob.refusals(0).reason(), v1::Refusal::NOT_IN_GROUP);
  // Unknown users belong to no group.
  EXPECT_EQ(Record(MakeEvent("c", "event.attended", "ghost")).refusals(0).reason(),
            v1::Refusal::NOT_IN_GROUP);
}

TEST_F(EventsTest, TagBonusMultipliesPoints) {
  v1::CreateRuleRequest request;
  v1::Rule* rule = request.mutable_rule();
  rule->set_rule_id("post");
  rule->set_action("post.created");
  rule->set_recipient(v1::Rule::ACTOR);
  rule->set_points(10);
  (*rule->mutable_tag_bonuses())["priority"] = 2;
  v1::CreateRuleResponse created;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->rules->CreateRule(&context, request, &created).ok());
  v1::Event event = MakeEvent("p1", "post.created", "ann");
  event.add_tags("#Priority");
  EXPECT_EQ(Record(event).awards(0).points(), 20);
}

TEST_F(EventsTest, RetractionReversesExactlyOnce) {
  CreateRule("like", "like", v1::Rule::SUBJECT, 2, 0, /*once_per_object=*/true);
  CreateRule("like-given", "like", v1::Rule::ACTOR, 1);
  Record(MakeEvent("like-1", "like", "fan", "author", "post-1"));
  Record(MakeEvent("post", "like", "fan", "author", "post-2"));
  ASSERT_EQ(Balance("author").balance(), 4);
  ASSERT_EQ(Balance("fan").balance(), 2);

  std::atomic<int> reversed{0}, already{0};
  RunConcurrently(10, [&](int) {
    v1::RetractEventRequest request;
    request.set_event_id("like-1");
    v1::RetractEventResponse response;
    grpc::ClientContext context;
    if (!client_->events->RetractEvent(&context, request, &response).ok()) return;
    (response.already_retracted() ? already : reversed)++;
    EXPECT_EQ(response.reversals_size(), 2);
  });
  EXPECT_EQ(reversed.load(), 1);
  EXPECT_EQ(already.load(), 9);
  EXPECT_EQ(Balance("author").balance(), 2);
  EXPECT_EQ(Balance("author").lifetime_earned(), 2);
  EXPECT_EQ(Balance("fan").balance(), 1);
  const auto ledger = Ledger("author");
  ASSERT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger[0].type(), v1::LedgerEntry::RETRACT);
  EXPECT_EQ(ledger[0].delta(), -2);
  EXPECT_EQ(ledger[0].reference(), "event:like-1");

  // The withdrawn like no longer blocks a fresh like of the same post.
  EXPECT_EQ(Record(MakeEvent("like-1b", "like", "fan", "author", "post-1"))
                .awards_size(), 2);
  // The retracted event stays recorded: resending it pays nothing.
  EXPECT_TRUE(Record(MakeEvent("like-1", "like", "fan", "author", "post-1"))
                  .duplicate());
  EXPECT_EQ(Balance("author").balance(), 4);
}

TEST_F(EventsTest, RetractingAnUnknownEventIsNotFound) {
  v1::RetractEventRequest request;
  request.set_event_id("never");
  v1::RetractEventResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(client_->events->RetractEvent(&context, request, &response)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(EventsTest, BatchOutcomesComeInOrderAndDuplicatesInsideABatchPayOnce) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  CreateRule("comment", "comment.created", v1::Rule::ACTOR, 3);
  v1::RecordEventsRequest request;
  *request.add_events() = MakeEvent("b1", "post.created", "ann");
  *request.add_events() = MakeEvent("b2", "comment.created", "ann");
  *request.add_events() = MakeEvent("b1", "post.created", "ann");
  *request.add_events() = MakeEvent("b3", "comment.created", "bob");
  v1::RecordEventsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->events->RecordEvents(&context, request, &response).ok());
  ASSERT_EQ(response.outcomes_size(), 4);
  EXPECT_EQ(response.outcomes(0).event_id(), "b1");
  EXPECT_FALSE(response.outcomes(0).duplicate());
  EXPECT_EQ(response.outcomes(1).awards(0).points(), 3);
  EXPECT_TRUE(response.outcomes(2).duplicate());
  EXPECT_EQ(response.outcomes(3).awards(0).user_id(), "bob");
  EXPECT_EQ(Balance("ann").balance(), 13);
  EXPECT_EQ(Balance("bob").balance(), 3);
}


// Everything Redis holds, per key: a digest of its value (streams by their
// entries without ids, HyperLogLogs by their count) and whether it expires.
std::map<std::string, std::string> Dump(RedisClient& redis) {
  std::map<std::string, std::string> dump;
  auto keys = redis.Run({"KEYS", "*"});
  EXPECT_TRUE(keys.ok());
  for (const RedisValue& key : keys->elements) {
    const std::string type = redis.Run({"TYPE", key.str})->str;
    std::string value;
    if (type == "stream") {
      const auto entries = redis.Run({"XRANGE", key.str, "-", "+"});
      for (const RedisValue& entry : entries->elements) {
        for (const RedisValue& field : entry.elements.at(1).elements) {
          absl::StrAppend(&value, field.str, "|");
        }
      }
    } else if (absl::StrContains(key.str, ":event:")) {
      std::map<std::string, std::string> fields;
      const auto all = redis.Run({"HGETALL", key.str})->elements;
      for (size_t i = 0; i + 1 < all.size(); i += 2) fields[all[i].str] = all[i + 1].str;
      for (const auto& [field, text] : fields) absl::StrAppend(&value, field, "=", text, " ");
    } else if (absl::StrContains(key.str, ":active:")) {
      value = absl::StrCat(redis.Run({"PFCOUNT", key.str})->integer);
    } else {
      value = redis.Run({"DEBUG", "DIGEST-VALUE", key.str})->elements.at(0).str;
    }
    const bool expires = redis.Run({"PTTL", key.str})->integer > 0;
    dump[key.str] = absl::StrCat(type, " ", value, expires ? " expires" : "");
  }
  return dump;
}

TEST_F(EventsTest, OneEventFailingInABatchCostsTheOthersNothing) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  // A bug's stand-in: bob's ledger key holds the wrong type.
  ASSERT_TRUE(redis_->client().Run({"SET", "plaudit:{acme}:ledger:bob", "x"}).ok());
  v1::RecordEventsRequest request;
  *request.add_events() = MakeEvent("f1", "post.created", "ann");
  *request.add_events() = MakeEvent("f2", "post.created", "bob");
  *request.add_events() = MakeEvent("f3", "post.created", "cid");
  v1::RecordEventsResponse response;
  grpc::ClientContext context;
  const grpc::Status status = client_->events->RecordEvents(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "f2")) << status.error_message();

  // ann and cid were recorded whole: balances and leaderboard alike.
  v1::GetLeaderboardRequest top;
  top.set_scope("global");
  top.set_period(v1::ALL_TIME);
  v1::GetLeaderboardResponse board;
  grpc::ClientContext board_context;
  ASSERT_TRUE(client_->leaderboards->GetLeaderboard(&board_context, top, &board).ok());
  std::map<std::string, int64_t> scores;
  for (const auto& entry : board.entries()) scores[entry.user_id()] = entry.score();
  EXPECT_EQ(scores["ann"], 10);
  EXPECT_EQ(scores["cid"], 10);
  EXPECT_EQ(Balance("ann").balance(), 10);
  EXPECT_EQ(Balance("cid").balance(), 10);
  // A resend answers them as duplicates and pays nothing more.
  EXPECT_TRUE(Record(MakeEvent("f1", "post.created", "ann")).duplicate());
  EXPECT_EQ(Balance("ann").balance(), 10);
}

TEST_F(EventsTest, ABatchLeavesExactlyWhatTheSameEventsOneByOneLeave) {
  // Limits crossed, objects repeated, duplicates and a hidden user inside
  // one batch: the batch script merges board and counter writes, and the
  // result must not differ in one byte.
  std::vector<v1::Event> events;
  for (int i = 0; i < 240; ++i) {
    const std::string actor = absl::StrCat("u", i % 12);
    const std::string other = absl::StrCat("u", (i * 7 + 3) % 12);
    switch (i % 4) {
      case 0: events.push_back(MakeEvent(absl::StrCat("e", i), "post.created", actor)); break;
      case 1: events.push_back(MakeEvent(absl::StrCat("e", i), "like", actor, other,
                                         absl::StrCat("post", i % 9))); break;
      case 2: events.push_back(MakeEvent(absl::StrCat("e", i), "comment.created", actor)); break;
      default: {
        const v1::Event resend = events[i - 2];
        events.push_back(resend);
        continue;
      }
    }
    if (i % 5 == 0) events.back().add_tags("priority");
  }
  // The same clock reading for both runs, so timestamps match too.
  const absl::Time now = absl::FromUnixSeconds(1795800000);
  auto setup = [&] {
    clock_->Set(now);
    CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
    CreateRule("like", "like", v1::Rule::SUBJECT, 2, /*daily_limit=*/6,
               /*once_per_object=*/true);
    CreateRule("comment", "comment.created", v1::Rule::ACTOR, 3, /*daily_limit=*/15);
    for (int u = 0; u < 12; ++u) {
      UpsertUser(absl::StrCat("u", u), {absl::StrCat("dept:d", u % 3),
                                        absl::StrCat("team:t", u % 5)});
    }
    v1::SetUserVisibilityRequest hide;
    hide.set_user_id("u4");
    hide.set_hidden(true);
    v1::SetUserVisibilityResponse hidden;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->leaderboards->SetUserVisibility(&context, hide, &hidden).ok());
  };

  setup();
  std::vector<v1::EventOutcome> one_by_one;
  for (const v1::Event& event : events) one_by_one.push_back(Record(event));
  const auto expected = Dump(redis_->client());

  ASSERT_TRUE(redis_->client().Run({"FLUSHALL"}).ok());
  server_ = StartServer(Options());  // no rules cached from the first run
  client_ = std::make_unique<Client>(server_->port());
  setup();
  std::vector<v1::EventOutcome> batched;
  for (size_t first = 0; first < events.size(); first += 120) {
    v1::RecordEventsRequest request;
    for (size_t i = first; i < std::min(events.size(), first + 120); ++i) {
      *request.add_events() = events[i];
    }
    v1::RecordEventsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->events->RecordEvents(&context, request, &response).ok());
    for (const auto& outcome : response.outcomes()) batched.push_back(outcome);
  }

  ASSERT_EQ(batched.size(), one_by_one.size());
  for (size_t i = 0; i < batched.size(); ++i) {
    EXPECT_EQ(batched[i].SerializeAsString(), one_by_one[i].SerializeAsString())
        << "event " << i;
  }
  const auto actual = Dump(redis_->client());
  EXPECT_GT(expected.size(), 100u);
  EXPECT_EQ(actual.size(), expected.size());
  for (const auto& [key, value] : expected) {
    auto found = actual.find(key);
    EXPECT_TRUE(found != actual.end() && found->second == value)
        << key << ": " << value << " vs "
        << (found == actual.end() ? "missing" : found->second);
  }
}
}  // namespace
}  // namespace plaudit::testing
