// award_ceiling: what Redis alone can do per event. It runs the service's
// own award script (EVALSHA) with the arguments the service builds for
// random intranet events, pipelined over raw hiredis connections, with no
// gRPC and no plauditd: the ceiling the service is measured against.
// Commands are encoded before the clock starts, so the figure is Redis'.
#include <atomic>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "hiredis/hiredis.h"
#include "services/common/clock.h"
#include "services/events/event_recorder.h"
#include "services/rules/rule_store.h"
#include "services/store/scripts.h"
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

namespace plaudit::bench {
namespace {

// One pipeline's commands in Redis' wire format.
using Chunk = std::string;

std::vector<Chunk> EncodeEvents(const RuleSnapshot& rules, const KeySchema& keys,
                                const BoardCalendar& calendar) {
  loadgen::EventSource source(absl::GetFlag(FLAGS_users), 7,
                              absl::StrCat("ceiling-", absl::ToUnixNanos(absl::Now())));
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
    std::vector<std::string> argv = {"EVALSHA", call.script->sha(),
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
    const int n = redisFormatCommandArgv(&encoded, static_cast<int>(argv.size()),
                                         data.data(), sizes.data());
    chunks.back().append(encoded, n);
    redisFreeCommand(encoded);
  }
  return chunks;
}

// Sends chunks `first`, `first + step`, ... and counts "OK" replies.
void Drive(const std::vector<Chunk>& chunks, size_t first, size_t step,
           std::atomic<long long>* paid, std::atomic<long long>* failed) {
  redisContext* redis = redisConnectUnix(absl::GetFlag(FLAGS_redis_socket).c_str());
  if (redis == nullptr || redis->err) {
    std::cerr << "award_ceiling: cannot connect\n";
    ++*failed;
    return;
  }
  const int per_chunk = absl::GetFlag(FLAGS_pipeline);
  for (size_t c = first; c < chunks.size(); c += step) {
    redisAppendFormattedCommand(redis, chunks[c].data(), chunks[c].size());
    const int calls = absl::GetFlag(FLAGS_events) / absl::GetFlag(FLAGS_events_per_script);
    const int replies = c + 1 == chunks.size() && calls % per_chunk ? calls % per_chunk
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
                  << (reply->type == REDIS_REPLY_ERROR ? reply->str : "") << "\n";
      }
      freeReplyObject(reply);
    }
  }
  redisFree(redis);
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
  absl::StatusOr<absl::TimeZone> zone = LoadTenantTimeZone("time_zone", absl::GetFlag(FLAGS_time_zone));
  if (!rules.ok() || !zone.ok()) {
    std::cerr << "award_ceiling: " << (rules.ok() ? zone.status() : rules.status()) << "\n";
    return 1;
  }
  if (auto loaded = (*redis)->Run({"SCRIPT", "LOAD", AwardScript().source()});
      !loaded.ok()) {
    std::cerr << "award_ceiling: " << loaded.status() << "\n";
    return 1;
  }
  const BoardCalendar calendar(*zone, Retention{});
  const std::vector<Chunk> chunks = EncodeEvents(*rules, keys, calendar);

  std::atomic<long long> paid{0}, failed{0};
  const int connections = absl::GetFlag(FLAGS_connections);
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back(Drive, std::cref(chunks), t, connections, &paid, &failed);
  }
  for (auto& thread : threads) thread.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double rate = static_cast<double>(paid + failed) *
                     absl::GetFlag(FLAGS_events_per_script) / seconds;
  std::cout << absl::StrFormat(
      "award script via EVALSHA, %d events per call, pipeline %d, %d "
      "connections: %.0f events/s (%d calls OK, %d failed, %.1fs)\n",
      absl::GetFlag(FLAGS_events_per_script), absl::GetFlag(FLAGS_pipeline),
      connections, rate, paid.load(), failed.load(), seconds);
  std::cout << absl::StrFormat("result: events_per_s=%.0f errors=%d\n", rate,
                               failed.load());
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
