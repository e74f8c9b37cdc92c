// Leaderboard benchmark (issue: leaderboards). Against a running plauditd and
// its Redis, with --users on the global all-time board:
//   GetLeaderboard (top 50) and GetRank (k = 5) at --concurrency, next to
//   redis-benchmark running the primary Redis command behind each (ZRANGE /
//   ZRANK) and the read script behind each at the same concurrency; the
//   cheapest gRPC call plauditd serves (the floor of any RPC on this
//   machine); and Redis memory per user per board.
// Run it through tools/bench/leaderboard.sh, which starts both servers.
#include <cstdio>
#include <iostream>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "plaudit/v1/leaderboard_service.grpc.pb.h"
#include "services/store/keys.h"
#include "services/store/lua_script.h"
#include "services/store/redis_client.h"
#include "services/store/scripts.h"
#include "tools/bench/load.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "plauditd address");
ABSL_FLAG(std::string, redis_socket, "", "Redis unix socket (for fill and redis-benchmark)");
ABSL_FLAG(std::string, tenant, "bench", "plauditd's tenant");
ABSL_FLAG(int, users, 1'000'000, "users on the board");
ABSL_FLAG(int, concurrency, 32, "requests in flight");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "each measurement");
ABSL_FLAG(bool, fill, true, "fill the board first (false: it is already filled)");
ABSL_FLAG(std::vector<std::string>, only, {},
          "measure only these of floor,top,rank,raw (default: all)");

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
      commands.push_back({"HSET", keys.User(UserId(i)), "groups", "dept:bench"});
      commands.push_back(
          {"HSET", keys.Names(), UserId(i), absl::StrCat("Employee ", i)});
    }
    commands.push_back(std::move(zadd));
    absl::StatusOr<std::vector<RedisValue>> replies = redis.RunPipeline(commands);
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

  const std::vector<std::string> only = absl::GetFlag(FLAGS_only);
  auto measure = [&](const std::string& what, auto run) {
    if (!only.empty() && std::find(only.begin(), only.end(), what) == only.end()) {
      return LoadResult{};
    }
    std::cerr << what << "...\n";
    return run();
  };

  // The cheapest successful call plauditd serves: no Redis, no tenant.
  grpc::GenericStub generic(channel);
  grpc::Slice no_bytes("");  // an empty HealthCheckRequest
  const grpc::ByteBuffer empty_request(&no_bytes, 1);
  const LoadResult floor = measure("floor", [&] { return RunAsyncLoop<grpc::ByteBuffer>(
      "gRPC floor: grpc.health.v1.Health/Check", concurrency, duration,
      [&](grpc::ClientContext* context, grpc::CompletionQueue* queue, int) {
        auto call = generic.PrepareUnaryCall(
            context, "/grpc.health.v1.Health/Check", empty_request, queue);
        call->StartCall();
        return call;
      },
      [](const grpc::ByteBuffer&) { return true; }); });

  v1::GetLeaderboardRequest top_request;
  top_request.set_scope("global");
  top_request.set_period(v1::ALL_TIME);
  top_request.set_page_size(50);
  const LoadResult top = measure("top", [&] { return RunAsyncLoop<v1::GetLeaderboardResponse>(
      "GetLeaderboard top 50 (gRPC)", concurrency, duration,
      [&](grpc::ClientContext* context, grpc::CompletionQueue* queue, int) {
        return stub->AsyncGetLeaderboard(context, top_request, queue);
      },
      [](const v1::GetLeaderboardResponse& r) { return r.entries_size() == 50; }); });

  std::mt19937 random(1);
  const LoadResult rank = measure("rank", [&] { return RunAsyncLoop<v1::GetRankResponse>(
      "GetRank k=5 (gRPC)", concurrency, duration,
      [&](grpc::ClientContext* context, grpc::CompletionQueue* queue, int) {
        v1::GetRankRequest request;
        request.set_user_id(UserId(random() % users));
        request.set_scope("global");
        request.set_period(v1::ALL_TIME);
        request.set_neighbors(5);
        return stub->AsyncGetRank(context, request, queue);
      },
      [](const v1::GetRankResponse& r) { return r.below_size() <= 5; }); });

  const std::string socket = absl::GetFlag(FLAGS_redis_socket);
  const std::string board = keys.Board("all", "global");
  const int requests = static_cast<int>(
      std::max(100'000.0, 3 * top.requests_per_second *
                              absl::ToDoubleSeconds(duration)));
  const LoadResult raw_top = measure("raw", [&] {
    return RedisBenchmark("ZRANGE 0 49 WITHSCORES (redis-benchmark)", socket,
                          concurrency, requests,
                          absl::StrCat("ZRANGE '", board, "' 0 49 WITHSCORES"));
  });
  const LoadResult raw_rank = measure("raw", [&] {
    return RedisBenchmark("ZRANK (redis-benchmark)", socket, concurrency,
                          requests,
                          absl::StrCat("ZRANK '", board, "' user-__rand_int__"));
  });
  // The read scripts alone, as LeaderboardStore calls them: what Redis can
  // serve of each RPC with no gRPC in the way.
  const auto script = [&](const std::string& name, const LuaScript& lua,
                          const std::string& keys_and_args) {
    return measure("raw", [&] {
      if (!(*redis)->Run({"SCRIPT", "LOAD", lua.source()}).ok()) return LoadResult{};
      return RedisBenchmark(name, socket, concurrency, 200'000,
                            absl::StrCat("EVALSHA_RO ", lua.sha(), " ", keys_and_args));
    });
  };
  const LoadResult page_script = script(
      "page script alone (redis-benchmark EVALSHA_RO)", LeaderboardPageScript(),
      absl::StrCat("3 '", board, "' '", keys.Names(), "' '", keys.Groups(),
                   "' 51 '' '' global"));
  const LoadResult rank_script = script(
      "rank script alone (redis-benchmark EVALSHA_RO)", LeaderboardRankScript(),
      absl::StrCat("4 '", board, "' '", keys.Board("all", "global", true), "' '",
                   keys.Names(), "' '", keys.Groups(), "' user-__rand_int__ 5 global"));

  std::cout << "\n| measurement | req/s | p50 ms | p99 ms | ratio to raw Redis |\n"
            << "| --- | ---: | ---: | ---: | ---: |\n"
            << FormatRow(raw_top, nullptr) << FormatRow(page_script, &raw_top)
            << FormatRow(top, &raw_top) << FormatRow(raw_rank, nullptr)
            << FormatRow(rank_script, &raw_rank) << FormatRow(rank, &raw_rank)
            << FormatRow(floor, &raw_rank);
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
