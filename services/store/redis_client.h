// A Redis client over hiredis built for many concurrent callers: a few
// connections ("lanes"), each written and read by its own thread. Callers
// queue commands on the least busy lane; the lane sends everything queued in
// one write and hands each caller its replies as they arrive, so commands
// from many in-flight RPCs share one round trip and no caller holds a lock
// across I/O. Callers either wait (Run, RunPipeline) or pass a callback
// (Send).
//
// hiredis failures map to status codes (I/O or closed -> UNAVAILABLE,
// timeout -> DEADLINE_EXCEEDED, protocol -> INTERNAL). A broken connection
// fails what was sent on it and is reopened for the next batch; a connection
// whose server hung up while idle is noticed (by a non-blocking peek) before
// anything is sent on it. Nothing is ever sent twice, and a Redis restart
// needs no restart of ours.
#ifndef PLAUDIT_SERVICES_STORE_REDIS_CLIENT_H_
#define PLAUDIT_SERVICES_STORE_REDIS_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace plaudit {

// A reply, copied out of hiredis' tree so it outlives the connection.
struct RedisValue {
  enum class Kind { kNil, kInteger, kString, kStatus, kError, kArray };
  Kind kind = Kind::kNil;
  long long integer = 0;
  std::string str;  // string, status or error text
  std::vector<RedisValue> elements;

  bool is_nil() const { return kind == Kind::kNil; }
  bool is_error() const { return kind == Kind::kError; }
};

using RedisCommand = std::vector<std::string>;
// What a request may write, for RedisClient::write_generation: anything a
// cache of reads may hold (any command not known to be read-only), or only
// keys no cache reads — an outbox consumer's position and acks, leases, a
// user's read mark — which then leave cached pages valid.
enum class Writes { kAnything, kUncachedOnly };
using RedisReplies = absl::StatusOr<std::vector<RedisValue>>;
// Runs on a lane's thread: it must be quick and must not wait for Redis
// (it may Send more).
using RedisDone = std::function<void(RedisReplies)>;

// Told about every round trip and connection (metrics); must be cheap and
// thread-safe.
class RedisObserver {
 public:
  virtual ~RedisObserver() = default;
  // One write and its replies: `commands` from one or more callers.
  virtual void OnRoundTrip(absl::Duration elapsed, size_t commands,
                           const absl::Status& status) = 0;
  virtual void OnConnect(bool ok) = 0;
  // Connections open, and how many of them wait for work.
  virtual void OnPool(size_t idle, size_t open) = 0;
};

struct RedisOptions {
  // "tcp://host:port" or "unix:///path/to/socket".
  std::string address = "tcp://127.0.0.1:6379";
  absl::Duration timeout = absl::Seconds(2);
  // Lanes: Redis runs commands one at a time, so a few connections kept
  // full of pipelined work beat many half-idle ones.
  int connections = 4;
  RedisObserver* observer = nullptr;  // not owned; may be null
};

class RedisClient {
 public:
  // Checks the address and starts the lanes; connections open on first use.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Create(
      RedisOptions options);
  // Fails whatever is still queued with UNAVAILABLE.
  ~RedisClient();

  // One command; an error reply becomes a status (see RedisErrorStatus).
  absl::StatusOr<RedisValue> Run(const RedisCommand& command,
                                 Writes writes = Writes::kAnything);
  // Many commands in one write, replies in order. Error replies come back
  // as values (kind kError): the caller decides (NOSCRIPT is expected).
  // Waiting on a lane's own thread would never end: it fails instead.
  RedisReplies RunPipeline(std::vector<RedisCommand> commands,
                           Writes writes = Writes::kAnything);
  // RunPipeline without waiting: `done` gets the replies.
  void Send(std::vector<RedisCommand> commands, RedisDone done,
            Writes writes = Writes::kAnything);
  // Send for reads many callers make alike (the top of a leaderboard): a
  // call finding a request with the same `share_key` still queued, not yet
  // sent, gets a copy of its replies instead of sending its own. The read
  // still runs after the call began, so it sees every write acknowledged
  // before it. Only for commands that write nothing.
  void SendShared(std::string share_key, std::vector<RedisCommand> commands,
                  RedisDone done);

  // Moves each time a request that may have written (any command not known
  // to be read-only, see IsReadOnly, unless sent as Writes::kUncachedOnly)
  // is answered or fails, just before its
  // caller hears of it. A read sent while this showed g, answered while it
  // still shows g, reflects every write this client has acknowledged: what
  // a cache of reads needs to serve them without Redis (see ReadCache).
  // (A write that failed in transit may still reach Redis after its
  // failure moved the generation; ReadCache's max_age bounds that.)
  uint64_t write_generation() const {
    return write_generation_.load(std::memory_order_acquire);
  }

 private:
  struct Endpoint;
  class Lane;

  RedisClient(RedisOptions options, std::unique_ptr<Endpoint> endpoint);
  Lane& LeastBusyLane();

  const RedisOptions options_;
  std::unique_ptr<Endpoint> endpoint_;
  std::atomic<uint64_t> write_generation_{0};
  std::vector<std::unique_ptr<Lane>> lanes_;
};

// Waits for the replies `send` hands to the RedisDone it is given: the one
// way a blocking call is made of an asynchronous one. FAILED_PRECONDITION
// inside a RedisDone, where waiting would never end.
RedisReplies AwaitReplies(const std::function<void(RedisDone)>& send);

// Whether Redis only reads for this command (GET, ZRANGE, EVALSHA_RO, ...).
// Unknown commands count as writes.
bool IsReadOnly(const RedisCommand& command);

// Redis answers many integers as text (hash fields, stream entries, script
// replies): the number, or 0 for text that is not one.
int64_t ParseInteger(absl::string_view text);

// An error reply as a status: Redis refusing for a passing reason (LOADING
// its AOF after a restart, BUSY, a replica, a script cache just flushed) is
// UNAVAILABLE, OOM is RESOURCE_EXHAUSTED, anything else (a bug) INTERNAL.
absl::Status RedisErrorStatus(absl::string_view error);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_REDIS_CLIENT_H_
