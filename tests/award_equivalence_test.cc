// The award script of performance round 2 leaves what the script it
// replaced left (tools/bench/legacy): the same replies and, key by key, the
// same Redis contents after a mixed workload, except for what only changed
// in how it is stored:
//   - stats hashes no longer keep "events" (it is the sum of events:*);
//   - user hashes keep "active" (where the user was last counted active);
//   - a board's expiry is set when the board is created, not on every write
//     (the same deadline: each write computes it from its bucket's end).
// Hidden and deactivated users, once-per-object, daily limits, pacing,
// reciprocal limits, group rules, moves between teams, repeats, content
// mismatches and batches of 1 to 40 events are all in the workload.
#include <map>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/calendar/board_calendar.h"
#include "services/events/event_recorder.h"
#include "services/rules/rule_store.h"
#include "services/store/keys.h"
#include "services/store/scripts.h"
#include "tests/fixtures/plaudit_fixture.h"
#include "tools/bench/legacy/legacy_award.h"

namespace plaudit::testing {
namespace {

struct Contents {
  std::vector<std::string> replies;  // every script reply, in order
  std::map<std::string, std::string> keys;
  std::map<std::string, int64_t> ttl_ms;  // of the keys that expire
};

class AwardEquivalenceTest : public PlauditTest {
 protected:
  void Prepare() {
    clock_->Set(kStart);
    CreateRule("post", "post.created", v1::Rule::ACTOR, 10, /*daily_limit=*/3);
    CreateRule("like", "like", v1::Rule::SUBJECT, 2, /*daily_limit=*/5,
               /*once_per_object=*/true);
    CreateRule("comment", "comment.created", v1::Rule::ACTOR, 3);
    v1::Rule thanks = MakeRule("thanks", "thanks", v1::Rule::SUBJECT, 4);
    thanks.set_min_interval_seconds(60);
    thanks.set_max_reciprocal_per_day(2);
    thanks.set_group("dept:d1");
    v1::CreateRuleRequest request;
    *request.mutable_rule() = thanks;
    v1::CreateRuleResponse created;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rules->CreateRule(&context, request, &created).ok());
    for (int u = 0; u < kUsers; ++u) {
      UpsertUser(User(u), {absl::StrCat("dept:d", u % 3),
                           absl::StrCat("team:t", u % 4)});
    }
    v1::SetUserVisibilityRequest hide;
    hide.set_user_id(User(4));
    hide.set_hidden(true);
    v1::SetUserVisibilityResponse hidden;
    grpc::ClientContext hide_context;
    ASSERT_TRUE(
        client_->leaderboards->SetUserVisibility(&hide_context, hide, &hidden)
            .ok());
    v1::DeactivateUserRequest leave;
    leave.set_user_id(User(5));
    leave.set_reason("left");
    v1::DeactivateUserResponse left;
    grpc::ClientContext leave_context;
    ASSERT_TRUE(
        client_->users->DeactivateUser(&leave_context, leave, &left).ok());
  }

  // Events of `phase`: repeats, content mismatches, unknown users and
  // actions, events a day or two back; the same for every run.
  std::vector<v1::Event> Events(int phase) {
    std::mt19937 random(phase);
    const char* actions[] = {"post.created",    "like",   "like",
                             "comment.created", "thanks", "lunch"};
    std::vector<v1::Event> events;
    for (int i = 0; i < 300; ++i) {
      const int kind = random() % 10;
      if (kind == 0 && !events.empty()) {  // a repeat, or a mismatch
        events.push_back(events[random() % events.size()]);
        if (random() % 3 == 0) events.back().set_object_id("changed");
        continue;
      }
      const std::string actor = User(random() % (kUsers + 2));  // 2 unknown
      std::string subject = User(random() % (kUsers + 1));
      if (subject == actor) subject = User((random() % kUsers + 1) % kUsers);
      events.push_back(MakeEvent(absl::StrCat("p", phase, "-", i),
                                 actions[random() % 6], actor, subject,
                                 absl::StrCat("obj", random() % 40)));
      if (kind == 1) {
        events.back().mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(
            clock_->Now() - absl::Hours(24 + random() % 24)));
      }
      if (kind == 2) events.back().add_tags("priority");
    }
    return events;
  }

  Contents Run(const LuaScript& script) {
    Contents contents;
    EXPECT_TRUE(redis_->client().Run({"FLUSHALL"}).ok());
    server_ = StartServer(Options());
    client_ = std::make_unique<Client>(server_->port());
    Prepare();
    const KeySchema keys("acme");
    const BoardCalendar calendar(absl::UTCTimeZone(), Retention{});
    for (int phase = 0; phase < 3; ++phase) {
      // The clock stays: Redis counts expiry in its own time, and a jump of
      // the test clock would move deadlines set by the old script's writes
      // after it (it set the expiry on every write), which in service, where
      // both clocks agree, lands on the same deadline. Past days come from
      // events that occurred a day or two back.
      if (phase == 1) UpsertUser(User(1), {"dept:d1", "team:t9"});  // moves
      RuleStore rule_store(&redis_->client(), keys, Options().clock);
      const absl::StatusOr<RuleSnapshot> rules = rule_store.Snapshot();
      EXPECT_TRUE(rules.ok());
      const std::vector<v1::Event> events = Events(phase);
      std::mt19937 sizes(phase);
      for (size_t first = 0; first < events.size();) {
        const size_t n =
            std::min<size_t>(events.size() - first, 1 + sizes() % 40);
        std::vector<const v1::Event*> batch;
        for (size_t i = first; i < first + n; ++i) batch.push_back(&events[i]);
        ScriptCall call =
            AwardCall(batch, *rules, keys, calendar, clock_->Now());
        call.script = &script;
        const absl::StatusOr<RedisValue> reply =
            RunScript(redis_->client(), call);
        EXPECT_TRUE(reply.ok()) << reply.status();
        if (reply.ok()) {
          for (const RedisValue& value : reply->elements) {
            contents.replies.push_back(value.str);
          }
        }
        first += n;
      }
    }
    // What later scripts do with the stored awards is the same too.
    for (const char* event_id : {"p0-3", "p0-17", "p1-5", "p2-8"}) {
      v1::RetractEventRequest request;
      request.set_event_id(event_id);
      v1::RetractEventResponse response;
      grpc::ClientContext context;
      (void)client_->events->RetractEvent(&context, request, &response);
    }
    Dump(&contents);
    return contents;
  }

  void Dump(Contents* contents) {
    RedisClient& redis = redis_->client();
    // (Replies are held in locals: a range-for over Run(...)->elements
    // would iterate a destroyed temporary.)
    const absl::StatusOr<RedisValue> all_keys = redis.Run({"KEYS", "*"});
    for (const RedisValue& key : all_keys->elements) {
      // Notifications came after the script replaced: not compared.
      if (absl::StrContains(key.str, ":outbox") ||
          absl::StrContains(key.str, ":inbox:")) {
        continue;
      }
      const std::string type = redis.Run({"TYPE", key.str})->str;
      std::vector<std::string> parts;
      if (absl::StrContains(key.str, ":active:")) {
        parts.push_back(absl::StrCat(redis.Run({"PFCOUNT", key.str})->integer));
      } else if (type == "hash") {
        std::map<std::string, std::string> fields;
        const auto all = redis.Run({"HGETALL", key.str})->elements;
        for (size_t i = 0; i + 1 < all.size(); i += 2)
          fields[all[i].str] = all[i + 1].str;
        if (absl::StrContains(key.str, ":stats:")) fields.erase("events");
        if (absl::StrContains(key.str, ":user:")) fields.erase("active");
        for (const auto& [field, value] : fields)
          parts.push_back(field + "=" + value);
      } else if (type == "zset") {
        const auto members =
            redis.Run({"ZRANGE", key.str, "0", "-1", "WITHSCORES"});
        for (const RedisValue& v : members->elements) parts.push_back(v.str);
      } else if (type == "set") {
        const auto members = redis.Run({"SMEMBERS", key.str});
        for (const RedisValue& v : members->elements) parts.push_back(v.str);
        std::sort(parts.begin(), parts.end());
      } else if (type == "stream") {
        const auto entries = redis.Run({"XRANGE", key.str, "-", "+"});
        for (const RedisValue& entry : entries->elements) {
          for (const RedisValue& field : entry.elements.at(1).elements) {
            parts.push_back(field.str);
          }
        }
      } else {
        parts.push_back(
            redis.Run({"DEBUG", "DIGEST-VALUE", key.str})->elements.at(0).str);
      }
      contents->keys[key.str] =
          absl::StrCat(type, " ", absl::StrJoin(parts, "|"));
      const int64_t ttl = redis.Run({"PTTL", key.str})->integer;
      if (ttl > 0) contents->ttl_ms[key.str] = ttl;
    }
  }

  static std::string User(int u) { return absl::StrCat("u", u); }

  static constexpr int kUsers = 10;
  const absl::Time kStart = absl::FromUnixSeconds(1795800000);
};

TEST_F(AwardEquivalenceTest, LeavesWhatTheScriptItReplacedLeft) {
  const Contents legacy = Run(LegacyAwardScript());
  const Contents current = Run(AwardScript());

  ASSERT_GT(legacy.replies.size(), 2u);
  EXPECT_EQ(legacy.replies[0], "OK") << legacy.replies[1];
  EXPECT_EQ(current.replies, legacy.replies);
  EXPECT_GT(legacy.keys.size(), 150u);
  EXPECT_EQ(current.keys.size(), legacy.keys.size());
  for (const auto& [key, value] : legacy.keys) {
    const auto found = current.keys.find(key);
    EXPECT_TRUE(found != current.keys.end() && found->second == value)
        << key << ": " << value << " vs "
        << (found == current.keys.end() ? "missing" : found->second);
  }
  // The same keys expire, at the same deadline (the runs are seconds apart
  // in real time, which PTTL counts).
  ASSERT_EQ(current.ttl_ms.size(), legacy.ttl_ms.size());
  for (const auto& [key, ttl] : legacy.ttl_ms) {
    const auto found = current.ttl_ms.find(key);
    ASSERT_TRUE(found != current.ttl_ms.end()) << key;
    EXPECT_NEAR(found->second, ttl, 60'000) << key;
  }
  // And the workload reached what the new paths are about.
  int mismatches = 0, duplicates = 0;
  for (const std::string& reply : legacy.replies) {
    mismatches += reply == "MISMATCH";
    duplicates += reply == "DUP";
  }
  EXPECT_GT(mismatches, 0);
  EXPECT_GT(duplicates, 0);
}

}  // namespace
}  // namespace plaudit::testing
