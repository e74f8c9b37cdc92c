// Leaderboard benchmark (issue: leaderboards). Against a running plauditd and
// its Redis, with --users on the global all-time board:
//   GetLeaderboard (top 50) and GetRank (k = 5) at --concurrency, next to
//   redis-benchmark running the primary Redis command behind each (ZRANGE /
//   ZRANK) and the read script behind each at the same concurrency; the
//   cheapest gRPC call plauditd serves (the floor of any RPC on this
//   machine); and Redis memory per user per board.
// Run it through tools/bench/leaderboard.sh, which starts both servers.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "plaudit/v1/account_service.grpc.pb.h"
#include "plaudit/v1/leaderboard_service.grpc.pb.h"
#include "services/store/keys.h"
#include "services/store/lua_script.h"
#include "services/store/redis_client.h"
#include "services/store/scripts.h"
#include "tools/bench/load.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "plauditd address");
ABSL_FLAG(std::string, redis_socket, "",
          "Redis unix socket (for fill and redis-benchmark)");
ABSL_FLAG(std::string, tenant, "bench", "plauditd's tenant");
ABSL_FLAG(int, users, 1'000'000, "users on the board");
ABSL_FLAG(int, concurrency, 32, "requests in flight");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "each measurement");
ABSL_FLAG(bool, fill, true,
          "fill the board first (false: it is already filled)");
ABSL_FLAG(std::vector<std::string>, only, {},
          "measure only these of floor,top,rank,raw (default: all)");
ABSL_FLAG(int, write_rate, 100,
          "grants per second sent during the second GetLeaderboard row");
ABSL_FLAG(int, rounds, 2,
          "times every measurement runs; the table shows means");

namespace plaudit::bench {
namespace {

std::string UserId(long long i) { return absl::StrFormat("user-%012d", i); }

// Fills the board with random scores and gives every user a display name.
absl::StatusOr<long long> FillBoard(RedisClient& redis, const KeySchema& keys,
                                    int users) {
  const std::string board = keys.Board("all", "global");
  std::mt19937 random(7);
  for (int start = 0; start < users; start += 10'000) {
    std::vector<RedisCommand> commands;
    RedisCommand zadd = {"ZADD", board};
    for (int i = start; i < std::min(users, start + 10'000); ++i) {
      zadd.push_back(absl::StrCat(-static_cast<int>(random() % 100'000)));
      zadd.push_back(UserId(i));
      commands.push_back(
          {"HSET", keys.User(UserId(i)), "groups", "dept:bench"});
      commands.push_back(
          {"HSET", keys.Names(), UserId(i), absl::StrCat("Employee ", i)});
    }
    commands.push_back(std::move(zadd));
    absl::StatusOr<std::vector<RedisValue>> replies =
        redis.RunPipeline(commands);
    if (!replies.ok()) return replies.status();
  }
  absl::StatusOr<RedisValue> bytes =
      redis.Run({"MEMORY", "USAGE", board, "SAMPLES", "0"});
  if (!bytes.ok()) return bytes.status();
  return bytes->integer;
}

// redis-benchmark's CSV: "test","rps","avg","min","p50","p95","p99","max".
LoadResult RedisBenchmark(const std::string& name, const std::string& socket,
                          int concurrency, int requests,
                          const std::string& command) {
  const std::string line = absl::StrCat(
      "redis-benchmark -s ", socket, " -c ", concurrency, " -n ", requests,
      " -r 1000000 --csv ", command, " 2>/dev/null | tail -1");
  LoadResult result;
  result.name = name;
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[1024] = {0};
  std::string output;
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  pclose(pipe);
  std::vector<std::string> fields = absl::StrSplit(output, ',');
  auto number = [&](size_t i) {
    double value = 0;
    if (i < fields.size()) {
      std::string field = fields[i];
      field.erase(std::remove(field.begin(), field.end(), '"'), field.end());
      absl::SimpleAtod(field, &value);
    }
    return value;
  };
  result.requests_per_second = number(1);
  result.p50_ms = number(4);
  result.p99_ms = number(6);
  return result;
}

int Main() {
  RedisOptions options;
  options.address = absl::StrCat("unix://", absl::GetFlag(FLAGS_redis_socket));
  options.timeout = absl::Seconds(30);
  auto redis = RedisClient::Create(options);
  if (!redis.ok()) {
    std::cerr << redis.status() << "\n";
    return 1;
  }
  const KeySchema keys(absl::GetFlag(FLAGS_tenant));
  const int users = absl::GetFlag(FLAGS_users);
  std::cerr << "filling " << users << " users...\n";
  absl::StatusOr<long long> board_bytes =
      absl::GetFlag(FLAGS_fill) ? FillBoard(**redis, keys, users) : 0;
  if (!board_bytes.ok()) {
    std::cerr << board_bytes.status() << "\n";
    return 1;
  }

  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_server),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::LeaderboardService::NewStub(channel);

  const std::string socket = absl::GetFlag(FLAGS_redis_socket);
  const std::string board = keys.Board("all", "global");
  // Each redis-benchmark run is sized to last about --duration.
  const auto requests_for = [&](double rate) {
    return static_cast<int>(
        std::max(50'000.0, rate * absl::ToDoubleSeconds(duration)));
  };

  // The cheapest successful call plauditd serves: no Redis, no tenant.
  grpc::GenericStub generic(channel);
  grpc::Slice no_bytes("");  // an empty HealthCheckRequest
  const grpc::ByteBuffer empty_request(&no_bytes, 1);
  const auto floor = [&] {
    return RunAsyncLoop<grpc::ByteBuffer>(
        "gRPC floor: grpc.health.v1.Health/Check", concurrency, duration,
        [&](grpc::ClientContext* context, grpc::CompletionQueue* queue, int) {
          auto call = generic.PrepareUnaryCall(
              context, "/grpc.health.v1.Health/Check", empty_request, queue);
          call->StartCall();
          return call;
        },
        [](const grpc::ByteBuffer&) { return true; });
  };

  v1::GetLeaderboardRequest top_request;
  top_request.set_scope("global");
  top_request.set_period(v1::ALL_TIME);
  top_request.set_page_size(50);
  const auto read_top = [&](const std::string& name) {
    return RunAsyncLoop<v1::GetLeaderboardResponse>(
        name, concurrency, duration,
        [&](grpc::ClientContext* context, grpc::CompletionQueue* queue, int) {
          return stub->AsyncGetLeaderboard(context, top_request, queue);
        },
        [](const v1::GetLeaderboardResponse& r) {
          return r.entries_size() == 50;
        });
  };
  const auto top = [&] { return read_top("GetLeaderboard top 50 (gRPC)"); };

  // The same reads while HR grants flow: every write ends the pages kept
  // in memory, so this shows the cache under a steady stream of awards.
  const int write_rate = absl::GetFlag(FLAGS_write_rate);
  const auto top_while_writing = [&] {
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      auto accounts = v1::AccountService::NewStub(channel);
      std::mt19937 pick(3);
      const absl::Duration gap = absl::Seconds(1) / std::max(write_rate, 1);
      absl::Time next = absl::Now();
      for (long long i = 0; !stop.load(); ++i, next += gap) {
        absl::SleepFor(next - absl::Now());
        v1::AdjustBalanceRequest grant;
        grant.set_user_id(UserId(pick() % users));
        grant.set_delta(1);
        grant.set_reason("benchmark");
        grant.set_request_id(
            absl::StrCat("bench-", absl::ToUnixNanos(next), "-", i));
        v1::AdjustBalanceResponse granted;
        grpc::ClientContext context;
        accounts->AdjustBalance(&context, grant, &granted);
      }
    });
    LoadResult result = read_top(absl::StrCat(
        "GetLeaderboard top 50, ", write_rate, " grants/s alongside (gRPC)"));
    stop = true;
    writer.join();
    return result;
  };

  std::mt19937 random(1);
  const auto rank = [&] {
    return RunAsyncLoop<v1::GetRankResponse>(
        "GetRank k=5 (gRPC)", concurrency, duration,
        [&](grpc::ClientContext* context, grpc::CompletionQueue* queue, int) {
          v1::GetRankRequest request;
          request.set_user_id(UserId(random() % users));
          request.set_scope("global");
          request.set_period(v1::ALL_TIME);
          request.set_neighbors(5);
          return stub->AsyncGetRank(context, request, queue);
        },
        [](const v1::GetRankResponse& r) { return r.below_size() <= 5; });
  };

  const auto raw_top = [&] {
    return RedisBenchmark("ZRANGE 0 49 WITHSCORES (redis-benchmark)", socket,
                          concurrency, requests_for(40'000),
                          absl::StrCat("ZRANGE '", board, "' 0 49 WITHSCORES"));
  };
  const auto raw_rank = [&] {
    return RedisBenchmark(
        "ZRANK (redis-benchmark)", socket, concurrency, requests_for(60'000),
        absl::StrCat("ZRANK '", board, "' user-__rand_int__"));
  };
  // The read scripts alone, as LeaderboardStore calls them with no names in
  // memory (so they send names): what Redis can serve of each RPC with no
  // gRPC in the way.
  const auto script = [&](const std::string& name, const LuaScript& lua,
                          const std::string& keys_and_args) {
    if (!(*redis)->Run({"SCRIPT", "LOAD", lua.source()}).ok())
      return LoadResult{};
    return RedisBenchmark(
        name, socket, concurrency, requests_for(15'000),
        absl::StrCat("EVALSHA_RO ", lua.sha(), " ", keys_and_args));
  };
  const auto page_script = [&] {
    return script(
        "page script alone (redis-benchmark EVALSHA_RO)",
        LeaderboardPageScript(),
        absl::StrCat("4 '", board, "' '", keys.Names(), "' '", keys.Groups(),
                     "' '", keys.NamesVersion(), "' 51 '' '' global ''"));
  };
  const auto rank_script = [&] {
    return script(
        "rank script alone (redis-benchmark EVALSHA_RO)",
        LeaderboardRankScript(),
        absl::StrCat("4 '", board, "' '", keys.Board("all", "global", true),
                     "' '", keys.Names(), "' '", keys.Groups(), "' '",
                     keys.NamesVersion(), "' user-__rand_int__ 5 global ''"));
  };

  // Table rows in order; each RPC runs right after its baseline, and every
  // round repeats the lot, so slow drift of this shared machine hits both.
  struct Row {
    std::string id;  // for --only
    std::function<LoadResult()> run;
    int baseline;  // index of the row it is compared with, -1 for none
  };
  const std::vector<Row> rows = {
      {"raw", raw_top, -1},  {"raw", page_script, 0},
      {"top", top, 0},       {"top", top_while_writing, 0},
      {"raw", raw_rank, -1}, {"raw", rank_script, 4},
      {"rank", rank, 4},     {"floor", floor, 4},
  };
  const std::vector<std::string> only = absl::GetFlag(FLAGS_only);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  std::vector<std::vector<LoadResult>> results(rows.size());
  for (int round = 1; round <= rounds; ++round) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!only.empty() &&
          std::find(only.begin(), only.end(), rows[i].id) == only.end()) {
        continue;
      }
      std::cerr << "round " << round << ": " << rows[i].id << "...\n";
      results[i].push_back(rows[i].run());
    }
  }
  std::vector<LoadResult> means;
  for (const auto& runs : results) means.push_back(Mean(runs));
  std::cout << absl::StrFormat(
      "\n| measurement (mean of %d rounds; p99: the worst round) | req/s | "
      "p50 ms | p99 ms | ratio to raw Redis |\n| --- | ---: | ---: | ---: | "
      "---: |\n",
      rounds);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (means[i].name.empty()) continue;
    std::cout << FormatRow(
        means[i], rows[i].baseline < 0 ? nullptr : &means[rows[i].baseline]);
  }
  std::cout << absl::StrFormat(
      "\nRedis memory for the board: %d bytes for %d users = %.1f bytes per "
      "user per board (MEMORY USAGE ... SAMPLES 0)\n",
      *board_bytes, users, static_cast<double>(*board_bytes) / users);
  return 0;
}

}  // namespace
}  // namespace plaudit::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil checks every mutex for deadlocks: not in a benchmark.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return plaudit::bench::Main();
}
