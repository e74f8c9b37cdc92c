// award_ceiling: what Redis alone can do per event. It runs the service's
// own award script (EVALSHA) with the arguments the service builds for
// random intranet events, pipelined over raw hiredis connections, with no
// gRPC and no plauditd: the ceiling the service is measured against.
// Commands are encoded before the clock starts, so the figure is Redis'.
//
// --scripts=legacy,current --rounds=4 interleaves the script as it was
// before performance round 2 with today's (A/B/B/A/A/B... on the same,
// growing data: Redis slows as it fills, so runs one after the other
// mislead), --fill_boards starts from full boards, and
// --commandstats prints the Redis commands each event cost.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "hiredis/hiredis.h"
#include "services/common/clock.h"
#include "services/events/event_recorder.h"
#include "services/rules/rule_store.h"
#include "services/store/scripts.h"
#include "tools/bench/legacy/legacy_award.h"
#include "tools/loadgen/event_source.h"

ABSL_FLAG(std::string, redis_socket, "", "redis-server's unix socket");
ABSL_FLAG(std::string, tenant, "bench", "tenant whose rules and users to use");
ABSL_FLAG(std::string, time_zone, "UTC", "the tenant's time zone");
ABSL_FLAG(int, users, 100'000, "distinct users (u0..)");
ABSL_FLAG(int, events, 100'000, "events to send");
ABSL_FLAG(int, pipeline, 100, "commands per write");
ABSL_FLAG(int, connections, 2, "connections, one thread each");
ABSL_FLAG(int, events_per_script, 1,
          "events per script call (the service sends up to 100 of a batch)");
ABSL_FLAG(std::vector<std::string>, scripts, {"current"},
          "award scripts to run, in turn: current, legacy (before round 2), "
          "silent (current without its notification)");
ABSL_FLAG(int, rounds, 1, "times each script runs, interleaved");
ABSL_FLAG(bool, fill_boards, false,
          "first put every user on the boards of their scopes for today's "
          "buckets (as loadgen's users: dept, office, team), so that events "
          "move boards of --users members");
ABSL_FLAG(bool, commandstats, false,
          "print Redis' commands and their time per event (INFO commandstats)");

namespace plaudit::bench {
namespace {

// One pipeline's commands in Redis' wire format.
using Chunk = std::string;

// Fresh events (new ids, drawn from `seed`) for `script`.
std::vector<Chunk> EncodeEvents(const LuaScript& script, uint32_t seed,
                                const RuleSnapshot& rules,
                                const KeySchema& keys,
                                const BoardCalendar& calendar) {
  loadgen::EventSource source(
      absl::GetFlag(FLAGS_users), seed,
      absl::StrCat("ceiling-", seed, "-", absl::ToUnixNanos(absl::Now())));
  const absl::Time now = absl::Now();
  const int per_script = absl::GetFlag(FLAGS_events_per_script);
  std::vector<Chunk> chunks;
  for (int i = 0; i < absl::GetFlag(FLAGS_events) / per_script; ++i) {
    if (i % absl::GetFlag(FLAGS_pipeline) == 0) chunks.emplace_back();
    std::vector<v1::Event> events(per_script);
    std::vector<const v1::Event*> pointers;
    for (v1::Event& event : events) {
      source.Fill(&event);
      pointers.push_back(&event);
    }
    const ScriptCall call = AwardCall(pointers, rules, keys, calendar, now);
    std::vector<std::string> argv = {"EVALSHA", script.sha(),
                                     absl::StrCat(call.keys.size())};
    argv.insert(argv.end(), call.keys.begin(), call.keys.end());
    argv.insert(argv.end(), call.args.begin(), call.args.end());
    std::vector<const char*> data;
    std::vector<size_t> sizes;
    for (const std::string& arg : argv) {
      data.push_back(arg.data());
      sizes.push_back(arg.size());
    }
    char* encoded = nullptr;
    const int n = redisFormatCommandArgv(
        &encoded, static_cast<int>(argv.size()), data.data(), sizes.data());
    chunks.back().append(encoded, n);
    redisFreeCommand(encoded);
  }
  return chunks;
}

// Sends chunks `first`, `first + step`, ... and counts "OK" replies.
void Drive(const std::vector<Chunk>& chunks, size_t first, size_t step,
           std::atomic<long long>* paid, std::atomic<long long>* failed) {
  redisContext* redis =
      redisConnectUnix(absl::GetFlag(FLAGS_redis_socket).c_str());
  if (redis == nullptr || redis->err) {
    std::cerr << "award_ceiling: cannot connect\n";
    ++*failed;
    return;
  }
  const int per_chunk = absl::GetFlag(FLAGS_pipeline);
  for (size_t c = first; c < chunks.size(); c += step) {
    redisAppendFormattedCommand(redis, chunks[c].data(), chunks[c].size());
    const int calls =
        absl::GetFlag(FLAGS_events) / absl::GetFlag(FLAGS_events_per_script);
    const int replies = c + 1 == chunks.size() && calls % per_chunk
                            ? calls % per_chunk
                            : per_chunk;
    for (int r = 0; r < replies; ++r) {
      void* raw = nullptr;
      if (redisGetReply(redis, &raw) != REDIS_OK) {
        std::cerr << "award_ceiling: " << redis->errstr << "\n";
        ++*failed;
        redisFree(redis);
        return;
      }
      auto* reply = static_cast<redisReply*>(raw);
      const bool ok = reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 &&
                      std::string(reply->element[0]->str) == "OK";
      ++*(ok ? paid : failed);
      if (!ok && *failed <= 3) {
        std::cerr << "award_ceiling: unexpected reply "
                  << (reply->type == REDIS_REPLY_ERROR ? reply->str : "")
                  << "\n";
      }
      freeReplyObject(reply);
    }
  }
  redisFree(redis);
}

// Every user u<i> on today's boards of "global" and their groups (see
// loadgen::MakeUser), with a random score and the expiry the script sets.
absl::Status FillBoards(RedisClient& redis, const KeySchema& keys,
                        const BoardCalendar& calendar) {
  const absl::Time now = absl::Now();
  const std::vector<BoardBucket> buckets = calendar.BucketsAt(now, now);
  std::mt19937 random(11);
  const int users = absl::GetFlag(FLAGS_users);
  for (int start = 0; start < users; start += 10'000) {
    std::map<std::string, RedisCommand> zadds;
    for (int i = start; i < std::min(users, start + 10'000); ++i) {
      const v1::User user = loadgen::MakeUser(i);
      std::vector<std::string> scopes = {"global"};
      scopes.insert(scopes.end(), user.groups().begin(), user.groups().end());
      for (const BoardBucket& bucket : buckets) {
        for (const std::string& scope : scopes) {
          RedisCommand& zadd = zadds[keys.Board(bucket.key, scope)];
          zadd.push_back(absl::StrCat(-static_cast<int>(random() % 1000)));
          zadd.push_back(user.user_id());
        }
      }
    }
    std::vector<RedisCommand> commands;
    for (auto& [key, members] : zadds) {
      RedisCommand zadd = {"ZADD", key};
      zadd.insert(zadd.end(), members.begin(), members.end());
      commands.push_back(std::move(zadd));
      for (const BoardBucket& bucket : buckets) {
        if (bucket.retained_until_ms != 0 &&
            absl::StartsWith(key, keys.Board(bucket.key, ""))) {
          commands.push_back(
              {"PEXPIRE", key,
               absl::StrCat(bucket.retained_until_ms - absl::ToUnixMillis(now)),
               "NX"});
        }
      }
    }
    absl::StatusOr<std::vector<RedisValue>> replies =
        redis.RunPipeline(commands);
    if (!replies.ok()) return replies.status();
  }
  return absl::OkStatus();
}

struct Run {
  double events_per_s = 0;
  long long failed = 0;
};

Run Measure(const std::vector<Chunk>& chunks) {
  std::atomic<long long> paid{0}, failed{0};
  const int connections = absl::GetFlag(FLAGS_connections);
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back(Drive, std::cref(chunks), t, connections, &paid,
                         &failed);
  }
  for (auto& thread : threads) thread.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return {static_cast<double>(paid + failed) *
              absl::GetFlag(FLAGS_events_per_script) / seconds,
          failed.load()};
}

// INFO commandstats as "calls and usec per event" lines, busiest first.
void PrintCommandStats(RedisClient& redis, int events) {
  auto info = redis.Run({"INFO", "commandstats"});
  if (!info.ok()) return;
  struct Line {
    std::string name;
    double calls, usec;
  };
  std::vector<Line> lines;
  double calls = 0, usec = 0;
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    // cmdstat_zincrby:calls=400000,usec=1193548,usec_per_call=2.98,...
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(":=,"));
    if (parts.size() < 5 || !absl::ConsumePrefix(&parts[0], "cmdstat_"))
      continue;
    Line parsed{std::string(parts[0]), 0, 0};
    if (!absl::SimpleAtod(parts[2], &parsed.calls) ||
        !absl::SimpleAtod(parts[4], &parsed.usec) ||
        parsed.calls < events / 100) {
      continue;
    }
    parsed.calls /= events;
    parsed.usec /= events;
    if (parsed.name.rfind("evalsha", 0) != 0) {
      calls += parsed.calls;
      usec += parsed.usec;
    }
    lines.push_back(parsed);
  }
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return a.usec > b.usec; });
  for (const Line& line : lines) {
    std::cout << absl::StrFormat("  %-12s %6.2f calls/event %7.1f us/event\n",
                                 line.name, line.calls, line.usec);
  }
  std::cout << absl::StrFormat(
      "  commands inside the script: %.1f calls, %.1f us per event\n", calls,
      usec);
}

int Main() {
  RedisOptions options;
  options.address = absl::StrCat("unix://", absl::GetFlag(FLAGS_redis_socket));
  auto redis = RedisClient::Create(options);
  if (!redis.ok()) {
    std::cerr << redis.status() << "\n";
    return 1;
  }
  const KeySchema keys(absl::GetFlag(FLAGS_tenant));
  RuleStore rule_store(redis->get(), keys, SystemClock());
  absl::StatusOr<RuleSnapshot> rules = rule_store.Snapshot();
  absl::StatusOr<absl::TimeZone> zone =
      LoadTenantTimeZone("time_zone", absl::GetFlag(FLAGS_time_zone));
  if (!rules.ok() || !zone.ok()) {
    std::cerr << "award_ceiling: "
              << (rules.ok() ? zone.status() : rules.status()) << "\n";
    return 1;
  }
  const std::vector<std::string> names = absl::GetFlag(FLAGS_scripts);
  std::vector<const LuaScript*> scripts;
  for (const std::string& name : names) {
    if (name != "current" && name != "legacy" && name != "silent") {
      std::cerr << "award_ceiling: --scripts: unknown script " << name << "\n";
      return 2;
    }
    scripts.push_back(name == "current"  ? &AwardScript()
                      : name == "legacy" ? &LegacyAwardScript()
                                         : &SilentAwardScript());
    auto loaded = (*redis)->Run({"SCRIPT", "LOAD", scripts.back()->source()});
    if (!loaded.ok()) {
      std::cerr << "award_ceiling: " << loaded.status() << "\n";
      return 1;
    }
  }
  const BoardCalendar calendar(*zone, Retention{});
  if (absl::GetFlag(FLAGS_fill_boards)) {
    if (absl::Status filled = FillBoards(**redis, keys, calendar);
        !filled.ok()) {
      std::cerr << "award_ceiling: " << filled << "\n";
      return 1;
    }
    std::cout << "filled the boards with " << absl::GetFlag(FLAGS_users)
              << " users\n";
  }
  std::map<std::string, std::vector<double>> rates;
  long long failed = 0;
  uint32_t seed = 7;
  for (int round = 1; round <= absl::GetFlag(FLAGS_rounds); ++round) {
    // A B, then B A: the later run of a round meets more data.
    for (size_t turn = 0; turn < scripts.size(); ++turn) {
      const size_t s = round % 2 == 1 ? turn : scripts.size() - 1 - turn;
      const std::string& name = names[s];
      const std::vector<Chunk> chunks =
          EncodeEvents(*scripts[s], seed++, *rules, keys, calendar);
      if (absl::GetFlag(FLAGS_commandstats))
        (void)(*redis)->Run({"CONFIG", "RESETSTAT"});
      const Run run = Measure(chunks);
      failed += run.failed;
      rates[name].push_back(run.events_per_s);
      std::cout << absl::StrFormat(
          "%s award script via EVALSHA, %d events per call, pipeline %d, %d "
          "connections: %.0f events/s (%d failed)\n",
          name, absl::GetFlag(FLAGS_events_per_script),
          absl::GetFlag(FLAGS_pipeline), absl::GetFlag(FLAGS_connections),
          run.events_per_s, run.failed);
      if (absl::GetFlag(FLAGS_commandstats)) {
        PrintCommandStats(**redis, absl::GetFlag(FLAGS_events));
      }
    }
  }
  // One "result:" line: the first script's mean, then each script's.
  const auto mean = [](const std::vector<double>& values) {
    double sum = 0;
    for (double value : values) sum += value;
    return sum / values.size();
  };
  std::string line =
      absl::StrFormat("result: events_per_s=%.0f", mean(rates[names[0]]));
  for (const auto& [name, values] : rates) {
    absl::StrAppendFormat(&line, " %s=%.0f", name, mean(values));
  }
  for (const char* other : {"legacy", "silent"}) {
    if (rates.count(other) && rates.count("current")) {
      absl::StrAppendFormat(&line, " current_over_%s=%.2f", other,
                            mean(rates["current"]) / mean(rates[other]));
    }
  }
  std::cout << line << absl::StrFormat(" errors=%d\n", failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace plaudit::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil checks every mutex for deadlocks: not in a benchmark.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return plaudit::bench::Main();
}
