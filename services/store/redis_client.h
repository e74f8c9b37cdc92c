// A small synchronous Redis client over hiredis: a pool of connections shared
// by concurrent callers, pipelines sent in one write, and hiredis failures
// mapped to status codes (I/O or closed -> UNAVAILABLE, timeout ->
// DEADLINE_EXCEEDED, protocol -> INTERNAL). A broken connection is dropped
// with every idle one, and an idle connection whose server hung up is noticed
// (by a non-blocking peek) before anything is sent on it, so a Redis restart
// needs no restart of ours and nothing is ever sent twice.
#ifndef PLAUDIT_SERVICES_STORE_REDIS_CLIENT_H_
#define PLAUDIT_SERVICES_STORE_REDIS_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

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

// Told about every round trip and connection (metrics); must be cheap and
// thread-safe.
class RedisObserver {
 public:
  virtual ~RedisObserver() = default;
  virtual void OnRoundTrip(absl::Duration elapsed, size_t commands,
                           const absl::Status& status) = 0;
  virtual void OnConnect(bool ok) = 0;
  // The pool after a call: connections waiting, and open in all.
  virtual void OnPool(size_t idle, size_t open) = 0;
};

struct RedisOptions {
  // "tcp://host:port" or "unix:///path/to/socket".
  std::string address = "tcp://127.0.0.1:6379";
  absl::Duration timeout = absl::Seconds(2);
  // Idle connections kept for reuse; more are opened under load, up to
  // max_connections in all: then callers wait (up to `timeout`) for one.
  int max_idle_connections = 64;
  int max_connections = 256;
  RedisObserver* observer = nullptr;  // not owned; may be null
};

class RedisClient {
 public:
  // Checks the address; does not connect (connections open on demand).
  static absl::StatusOr<std::unique_ptr<RedisClient>> Create(
      RedisOptions options);
  ~RedisClient();

  // One command; an error reply becomes a status (see RedisErrorStatus).
  absl::StatusOr<RedisValue> Run(const RedisCommand& command);
  // Many commands in one write, replies in order. Error replies come back
  // as values (kind kError): the caller decides (NOSCRIPT is expected).
  absl::StatusOr<std::vector<RedisValue>> RunPipeline(
      const std::vector<RedisCommand>& commands);

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  using Connection = std::unique_ptr<redisContext, ContextDeleter>;

  RedisClient(RedisOptions options, bool unix_socket, std::string host,
              int port);
  // An idle connection that is still open, or a new one.
  absl::StatusOr<Connection> Acquire();
  absl::StatusOr<std::vector<RedisValue>> Exchange(
      const std::vector<RedisCommand>& commands);
  void Release(Connection connection);
  // A connection that failed or could not be opened no longer counts.
  void Forget();
  // Forgets idle connections: after one failed, the rest likely point at
  // the same dead server.
  void DropIdle();

  const RedisOptions options_;
  const bool unix_socket_;
  const std::string host_;  // or socket path
  const int port_;
  absl::Mutex mu_;
  std::vector<Connection> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle and in use
};

// Redis answers many integers as text (hash fields, stream entries, script
// replies): the number, or 0 for text that is not one.
int64_t ParseInteger(absl::string_view text);

// An error reply as a status: Redis refusing for a passing reason (LOADING
// its AOF after a restart, BUSY, a replica, a script cache just flushed) is
// UNAVAILABLE, OOM is RESOURCE_EXHAUSTED, anything else (a bug) INTERNAL.
absl::Status RedisErrorStatus(absl::string_view error);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_REDIS_CLIENT_H_
