// The Redis client against a real redis-server: a few connections carry
// many concurrent callers, and every caller is answered, even on failure.
#include <atomic>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/fixtures/redis_server.h"

namespace plaudit::testing {
namespace {

// The number after `field` in Redis' INFO `section` (0 when absent).
long long InfoNumber(RedisClient& client, const std::string& section,
                     const std::string& field) {
  auto info = client.Run({"INFO", section});
  EXPECT_TRUE(info.ok()) << info.status();
  if (!info.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    long long value = 0;
    if (absl::ConsumePrefix(&line, field) &&
        absl::SimpleAtoi(line.substr(0, line.find(',')), &value)) {
      return value;
    }
  }
  return 0;
}

// Connections Redis accepted since it started.
long long ConnectionsReceived(RedisClient& client) {
  return InfoNumber(client, "stats", "total_connections_received:");
}

TEST(RedisClientTest, ManyCallersShareTwoConnections) {
  auto redis = RedisServer::Start();
  RedisOptions options;
  options.address = redis->address();
  options.connections = 2;
  auto client = *RedisClient::Create(options);
  const long long before = ConnectionsReceived(redis->client());

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!client->Run({"INCR", "counter"}).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(redis->client().Run({"GET", "counter"})->str, "800");
  // 16 callers, 800 calls, and never more than 2 connections opened.
  EXPECT_LE(ConnectionsReceived(redis->client()) - before, 2);
}

TEST(RedisClientTest, ATimeoutInsideAPipelineAnswersEveryCaller) {
  auto redis = RedisServer::Start();
  RedisOptions options;
  options.address = redis->address();
  options.connections = 1;  // everything shares one pipeline
  options.timeout = absl::Milliseconds(300);
  auto client = *RedisClient::Create(options);

  absl::Mutex mu;
  int answered = 0, failed = 0;
  auto done = [&](RedisReplies replies) {
    absl::MutexLock lock(&mu);
    ++answered;
    if (!replies.ok()) ++failed;
  };
  // Redis stalls past the timeout on the first request's first command.
  client->Send({{"DEBUG", "SLEEP", "1"}, {"PING"}}, done);
  for (int i = 0; i < 20; ++i) client->Send({{"INCR", "n"}}, done);
  {
    absl::MutexLock lock(&mu);
    auto all = [&] { return answered == 21; };
    mu.AwaitWithTimeout(absl::Condition(&all), absl::Seconds(10));
    EXPECT_EQ(answered, 21);
    EXPECT_GE(failed, 1);
  }
  // The timed-out connection was dropped; once Redis is out of its sleep
  // (our own connection's PING waits for that; on a loaded machine one
  // wait of its 2 s timeout may not be enough), a new one serves the next
  // call.
  bool awake = false;
  for (int attempt = 0; attempt < 5 && !awake; ++attempt) {
    awake = redis->client().Run({"PING"}).ok();
  }
  ASSERT_TRUE(awake);
  EXPECT_TRUE(client->Run({"PING"}).ok());
}

// Calls of cmdstat `name` Redis ran since it started.
long long CommandCalls(RedisClient& client, const std::string& name) {
  return InfoNumber(client, "commandstats",
                    absl::StrCat("cmdstat_", name, ":calls="));
}

// Connections Redis holds blocked (in BLPOP and the like).
long long BlockedClients(RedisClient& client) {
  return InfoNumber(client, "clients", "blocked_clients:");
}

TEST(RedisClientTest, AlikeReadsQueuedTogetherRunOnceAndSeeEarlierWrites) {
  auto redis = RedisServer::Start();
  RedisOptions options;
  options.address = redis->address();
  options.connections = 1;
  options.timeout = absl::Seconds(20);  // the lane waits in BLPOP meanwhile
  auto client = *RedisClient::Create(options);
  ASSERT_TRUE(client->Run({"SET", "top", "v1"}).ok());

  absl::Mutex mu;
  std::vector<std::string> seen;
  auto done = [&](RedisReplies replies) {
    absl::MutexLock lock(&mu);
    seen.push_back(replies.ok() ? replies->front().str : "error");
  };
  // The lane is busy (blocked in a BLPOP, which Redis shows as a blocked
  // client); ten alike reads queue behind it, then the lane is let go. Then
  // a write acknowledged before the next read is asked for.
  client->Send({{"BLPOP", "gate", "10"}}, [](RedisReplies) {});
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (BlockedClients(redis->client()) == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));  // between polls of the condition
  }
  ASSERT_EQ(BlockedClients(redis->client()), 1);
  for (int i = 0; i < 10; ++i)
    client->SendShared("top", {{"GET", "top"}}, done);
  ASSERT_TRUE(redis->client().Run({"LPUSH", "gate", "go"}).ok());
  {
    absl::MutexLock lock(&mu);
    auto ten = [&] { return seen.size() == 10; };
    mu.AwaitWithTimeout(absl::Condition(&ten), absl::Seconds(10));
  }
  ASSERT_TRUE(client->Run({"SET", "top", "v2"}).ok());
  client->SendShared("top", {{"GET", "top"}}, done);
  absl::MutexLock lock(&mu);
  auto eleven = [&] { return seen.size() == 11; };
  mu.AwaitWithTimeout(absl::Condition(&eleven), absl::Seconds(10));
  ASSERT_EQ(seen.size(), 11u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(seen[i], "v1");
  EXPECT_EQ(seen[10], "v2");  // never an older read joined after the write
  EXPECT_EQ(CommandCalls(*client, "get"), 2);
}

TEST(RedisClientTest, TheWriteGenerationMovesForWritesOnlyOnceAnswered) {
  auto redis = RedisServer::Start();
  RedisOptions options;
  options.address = redis->address();
  auto client = *RedisClient::Create(options);

  const uint64_t start = client->write_generation();
  ASSERT_TRUE(
      client->RunPipeline({{"GET", "k"}, {"ZRANGE", "z", "0", "-1"}}).ok());
  EXPECT_EQ(client->write_generation(), start) << "reads write nothing";

  // The caller hears of its write after the generation moved.
  uint64_t seen_by_caller = 0;
  AwaitReplies([&](RedisDone done) {
    client->Send({{"GET", "k"}, {"SET", "k", "v"}},
                 [&, done = std::move(done)](RedisReplies replies) {
                   seen_by_caller = client->write_generation();
                   done(std::move(replies));
                 });
  });
  EXPECT_EQ(seen_by_caller, start + 1);

  // A write Redis refused may still count: the generation only errs safe.
  ASSERT_TRUE(client->RunPipeline({{"INCR", "k"}}).ok());  // not an integer
  EXPECT_EQ(client->write_generation(), start + 2);

  // Writes of keys no cache reads (an outbox consumer's acks, a lease, a
  // read mark) leave cached reads valid.
  ASSERT_TRUE(client
                  ->RunPipeline({{"XADD", "s", "*", "f", "v"},
                                 {"HSET", "marks", "ann", "1-0"}},
                                Writes::kUncachedOnly)
                  .ok());
  EXPECT_EQ(client->write_generation(), start + 2);
  EXPECT_EQ(client->Run({"HGET", "marks", "ann"})->str, "1-0");
}

TEST(RedisClientTest, OnlyKnownReadsCountAsReadOnly) {
  EXPECT_TRUE(IsReadOnly({"ZRANGE", "z", "0", "1"}));
  EXPECT_TRUE(IsReadOnly({"EVALSHA_RO", "sha", "0"}));
  EXPECT_FALSE(IsReadOnly({"EVALSHA", "sha", "0"}));
  EXPECT_FALSE(IsReadOnly({"ZINCRBY", "z", "1", "u"}));
  EXPECT_FALSE(IsReadOnly({"get", "k"})) << "unknown spelling: a write";
  EXPECT_FALSE(IsReadOnly({}));
}

}  // namespace
}  // namespace plaudit::testing
