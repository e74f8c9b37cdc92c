#include "services/store/redis_client.h"

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "hiredis/hiredis.h"

namespace plaudit {
namespace {

// Set on a lane's thread: a blocking call from there would wait for itself.
thread_local bool t_on_lane = false;

// What one lane sends in one write, at most (a request is never split): a
// burst goes in slices Redis works through well within the socket timeout,
// instead of one write that waits on Redis for seconds. Bytes bound it as
// well as commands: one script call may apply a hundred events.
constexpr size_t kMaxBatchCommands = 256;
constexpr size_t kMaxBatchBytes = 64 << 10;

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using Connection = std::unique_ptr<redisContext, ContextDeleter>;

RedisValue CopyReply(const redisReply& reply) {
  RedisValue value;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      value.kind = RedisValue::Kind::kInteger;
      value.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      value.kind = reply.type == REDIS_REPLY_STRING   ? RedisValue::Kind::kString
                   : reply.type == REDIS_REPLY_STATUS ? RedisValue::Kind::kStatus
                                                      : RedisValue::Kind::kError;
      value.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      value.kind = RedisValue::Kind::kArray;
      value.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        value.elements.push_back(CopyReply(*reply.element[i]));
      }
      break;
    default:
      value.kind = RedisValue::Kind::kNil;
  }
  return value;
}

// Maps a failed hiredis context to a status (redis-plus-plus' taxonomy).
absl::Status ContextError(const redisContext& context) {
  const std::string what = absl::StrCat("redis: ", context.errstr);
  // hiredis 0.14 reports a read timeout as an I/O error carrying EAGAIN's text.
  if (context.err == REDIS_ERR_IO &&
      (absl::StrContains(context.errstr, "temporarily unavailable") ||
       absl::StrContains(context.errstr, "timed out"))) {
    return absl::DeadlineExceededError(absl::StrCat(what, " (timeout)"));
  }
  if (context.err == REDIS_ERR_PROTOCOL) return absl::InternalError(what);
  return absl::UnavailableError(what);
}

// An idle connection is usable only if nothing is waiting on it: no EOF
// (the server hung up) and no stray bytes (a reply nobody read).
bool StillOpen(const redisContext& context) {
  char byte;
  const ssize_t n = recv(context.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

bool AppendCommand(redisContext* context, const RedisCommand& command) {
  constexpr size_t kInline = 64;
  const char* argv_inline[kInline];
  size_t lengths_inline[kInline];
  std::vector<const char*> argv_heap;
  std::vector<size_t> lengths_heap;
  const char** argv = argv_inline;
  size_t* lengths = lengths_inline;
  if (command.size() > kInline) {  // rare: avoid allocating for the rest
    argv_heap.resize(command.size());
    lengths_heap.resize(command.size());
    argv = argv_heap.data();
    lengths = lengths_heap.data();
  }
  for (size_t i = 0; i < command.size(); ++i) {
    argv[i] = command[i].data();
    lengths[i] = command[i].size();
  }
  return redisAppendCommandArgv(context, static_cast<int>(command.size()),
                                argv, lengths) == REDIS_OK;
}

}  // namespace

struct RedisClient::Endpoint {
  bool unix_socket = false;
  std::string host;  // or socket path
  int port = 0;
  // Across lanes, for RedisObserver::OnPool.
  std::atomic<int> open{0};
  std::atomic<int> busy{0};
};

// One connection and the thread that owns it. Only that thread touches the
// connection; callers only touch the queue.
class RedisClient::Lane {
 public:
  Lane(const RedisOptions* options, Endpoint* endpoint,
       std::atomic<uint64_t>* write_generation)
      : options_(options),
        endpoint_(endpoint),
        write_generation_(write_generation),
        thread_([this] { Loop(); }) {}

  ~Lane() {
    BeginStop();
    Join();
  }

  // From now on, queued and new requests fail with UNAVAILABLE.
  void BeginStop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }

  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  void Enqueue(std::vector<RedisCommand> commands, RedisDone done,
               std::string share_key = "",
               Writes what = Writes::kAnything) {
    load_.fetch_add(1, std::memory_order_relaxed);
    size_t bytes = 0;
    bool writes = false;
    for (const RedisCommand& command : commands) {
      for (const std::string& arg : command) bytes += arg.size();
      writes = writes || !IsReadOnly(command);
    }
    writes = writes && what == Writes::kAnything;
    {
      absl::MutexLock lock(&mu_);
      if (!stopping_) {
        queue_.push_back({std::move(commands), std::move(done), bytes, writes,
                          std::move(share_key)});
        return;
      }
    }
    load_.fetch_sub(1, std::memory_order_relaxed);
    done(absl::UnavailableError("redis: client is shutting down"));
  }

  // Adds `done` to a queued request (not yet sent) with the same share key:
  // its replies reflect every write acknowledged before this call.
  bool Join(const std::string& share_key, RedisDone& done) {
    if (share_key.empty()) return false;
    absl::MutexLock lock(&mu_);
    for (Request& request : queue_) {
      if (request.share_key == share_key) {
        request.sharers.push_back(std::move(done));
        return true;
      }
    }
    return false;
  }

  // Requests queued or in flight.
  int load() const { return load_.load(std::memory_order_relaxed); }

 private:
  struct Request {
    std::vector<RedisCommand> commands;
    RedisDone done;
    size_t bytes = 0;  // of the arguments
    bool writes = false;  // holds a command that may write
    std::string share_key;         // empty: not shared
    std::vector<RedisDone> sharers;  // joined while queued; get a copy
  };

  // A write counts once answered, even if it failed: it may have applied.
  void Answer(Request& request, RedisReplies replies) {
    if (request.writes) {
      write_generation_->fetch_add(1, std::memory_order_acq_rel);
    }
    for (RedisDone& sharer : request.sharers) sharer(replies);
    request.done(std::move(replies));
  }

  void Loop() {
    t_on_lane = true;
    std::vector<Request> batch;
    for (;;) {
      bool stopping = false;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Lane* lane) {
              return lane->stopping_ || !lane->queue_.empty();
            },
            this));
        stopping = stopping_;
        if (stopping) {
          batch.swap(queue_);
        } else {
          TakeBatch(&batch);
        }
      }
      if (batch.empty()) break;  // stopping, nothing left
      if (stopping) {
        for (Request& request : batch) {
          Answer(request,
                 absl::UnavailableError("redis: client is shutting down"));
        }
      } else {
        Exchange(batch);
      }
      load_.fetch_sub(static_cast<int>(batch.size()), std::memory_order_relaxed);
      batch.clear();
    }
    if (connection_ != nullptr) endpoint_->open.fetch_sub(1);
  }

  void TakeBatch(std::vector<Request>* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t commands = 0, bytes = 0, taken = 0;
    for (; taken < queue_.size(); ++taken) {
      const Request& next = queue_[taken];
      if (taken > 0 && (commands + next.commands.size() > kMaxBatchCommands ||
                        bytes + next.bytes > kMaxBatchBytes)) {
        break;
      }
      commands += next.commands.size();
      bytes += next.bytes;
    }
    if (taken == queue_.size()) return batch->swap(queue_);
    batch->assign(std::make_move_iterator(queue_.begin()),
                  std::make_move_iterator(queue_.begin() + taken));
    queue_.erase(queue_.begin(), queue_.begin() + taken);
  }

  void Exchange(std::vector<Request>& batch) {
    endpoint_->busy.fetch_add(1, std::memory_order_relaxed);
    const absl::Time start = absl::Now();
    size_t commands = 0;
    for (const Request& request : batch) commands += request.commands.size();
    const absl::Status status = SendAndReceive(batch);
    if (options_->observer != nullptr) {
      options_->observer->OnRoundTrip(absl::Now() - start, commands, status);
    }
    const int busy = endpoint_->busy.fetch_sub(1, std::memory_order_relaxed) - 1;
    const int open = endpoint_->open.load(std::memory_order_relaxed);
    if (options_->observer != nullptr) {
      options_->observer->OnPool(static_cast<size_t>(std::max(open - busy, 0)),
                                 static_cast<size_t>(std::max(open, 0)));
    }
  }

  // Sends the batch in one write and answers each request in turn. A
  // failure answers the requests not yet answered and drops the connection.
  absl::Status SendAndReceive(std::vector<Request>& batch) {
    size_t answered = 0;
    absl::Status status = Connect();
    if (status.ok()) status = Write(batch);
    while (status.ok() && answered < batch.size()) {
      Request& request = batch[answered];
      std::vector<RedisValue> values;
      values.reserve(request.commands.size());
      for (size_t i = 0; i < request.commands.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(connection_.get(), &raw) != REDIS_OK ||
            raw == nullptr) {
          status = ContextError(*connection_);
          break;
        }
        Reply reply(static_cast<redisReply*>(raw));
        values.push_back(CopyReply(*reply));
      }
      if (!status.ok()) break;  // this request is answered below
      Answer(request, std::move(values));
      ++answered;
    }
    if (!status.ok()) {
      Disconnect();
      for (; answered < batch.size(); ++answered) Answer(batch[answered], status);
    }
    return status;
  }

  absl::Status Write(const std::vector<Request>& batch) {
    for (const Request& request : batch) {
      for (const RedisCommand& command : request.commands) {
        if (!AppendCommand(connection_.get(), command)) {
          return absl::ResourceExhaustedError("redis: cannot buffer a command");
        }
      }
    }
    int done = 0;
    while (!done) {
      if (redisBufferWrite(connection_.get(), &done) != REDIS_OK) {
        return ContextError(*connection_);
      }
    }
    return absl::OkStatus();
  }

  // The open connection, or a new one if there is none or the server hung
  // up on it (nothing was sent, so nothing is lost).
  absl::Status Connect() {
    if (connection_ != nullptr && StillOpen(*connection_)) {
      return absl::OkStatus();
    }
    Disconnect();
    const timeval timeout = absl::ToTimeval(options_->timeout);
    Connection connection(
        endpoint_->unix_socket
            ? redisConnectUnixWithTimeout(endpoint_->host.c_str(), timeout)
            : redisConnectWithTimeout(endpoint_->host.c_str(), endpoint_->port,
                                      timeout));
    if (connection == nullptr) {
      return absl::ResourceExhaustedError(
          "redis: cannot allocate a connection");
    }
    if (options_->observer) options_->observer->OnConnect(connection->err == 0);
    if (connection->err != 0) {
      return absl::UnavailableError(absl::StrCat("redis: cannot connect to ",
                                                 options_->address, ": ",
                                                 connection->errstr));
    }
    redisSetTimeout(connection.get(), timeout);
    connection_ = std::move(connection);
    endpoint_->open.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }

  void Disconnect() {
    if (connection_ == nullptr) return;
    connection_.reset();
    endpoint_->open.fetch_sub(1, std::memory_order_relaxed);
  }

  const RedisOptions* const options_;
  Endpoint* const endpoint_;
  std::atomic<uint64_t>* const write_generation_;
  Connection connection_;  // the lane thread's only
  std::atomic<int> load_{0};
  absl::Mutex mu_;
  std::vector<Request> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts once the rest is built
};

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Create(
    RedisOptions options) {
  // hiredis writes with write(2): a server that went away would kill the
  // process with SIGPIPE instead of failing the call with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  if (options.connections < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis connections: must be at least 1, got ", options.connections));
  }
  auto endpoint = std::make_unique<Endpoint>();
  const std::string& address = options.address;
  if (absl::StartsWith(address, "unix://")) {
    endpoint->unix_socket = true;
    endpoint->host = address.substr(strlen("unix://"));
    if (endpoint->host.empty()) {
      return absl::InvalidArgumentError("redis address: unix:// needs a path");
    }
  } else if (absl::StartsWith(address, "tcp://")) {
    const std::string rest = address.substr(strlen("tcp://"));
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 ||
        !absl::SimpleAtoi(rest.substr(colon + 1), &endpoint->port) ||
        endpoint->port <= 0 || endpoint->port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "redis address: expected tcp://host:port, got ", address));
    }
    endpoint->host = rest.substr(0, colon);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis address: expected tcp://host:port or unix:///path, got ",
        address));
  }
  return std::unique_ptr<RedisClient>(
      new RedisClient(std::move(options), std::move(endpoint)));
}

RedisClient::RedisClient(RedisOptions options,
                         std::unique_ptr<Endpoint> endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)) {
  for (int i = 0; i < options_.connections; ++i) {
    lanes_.push_back(std::make_unique<Lane>(&options_, endpoint_.get(),
                                            &write_generation_));
  }
}

RedisClient::~RedisClient() {
  // Every lane stops taking work before any is freed: a callback still
  // running on one lane may Send to another.
  for (const auto& lane : lanes_) lane->BeginStop();
  for (const auto& lane : lanes_) lane->Join();
}

RedisClient::Lane& RedisClient::LeastBusyLane() {
  Lane* best = lanes_.front().get();
  for (const auto& lane : lanes_) {
    if (lane->load() < best->load()) best = lane.get();
  }
  return *best;
}

void RedisClient::Send(std::vector<RedisCommand> commands, RedisDone done,
                       Writes writes) {
  LeastBusyLane().Enqueue(std::move(commands), std::move(done), "", writes);
}

void RedisClient::SendShared(std::string share_key,
                             std::vector<RedisCommand> commands,
                             RedisDone done) {
  for (const auto& lane : lanes_) {
    if (lane->Join(share_key, done)) return;
  }
  LeastBusyLane().Enqueue(std::move(commands), std::move(done),
                          std::move(share_key));
}

RedisReplies AwaitReplies(const std::function<void(RedisDone)>& send) {
  if (t_on_lane) {
    return absl::FailedPreconditionError(
        "redis: a blocking call from a Redis callback would wait forever");
  }
  absl::Notification replied;
  RedisReplies result;
  send([&](RedisReplies replies) {
    result = std::move(replies);
    replied.Notify();
  });
  replied.WaitForNotification();
  return result;
}

RedisReplies RedisClient::RunPipeline(std::vector<RedisCommand> commands,
                                      Writes writes) {
  return AwaitReplies([&](RedisDone done) {
    Send(std::move(commands), std::move(done), writes);
  });
}

absl::StatusOr<RedisValue> RedisClient::Run(const RedisCommand& command,
                                            Writes writes) {
  RedisReplies replies = RunPipeline({command}, writes);
  if (!replies.ok()) return replies.status();
  if (replies->front().is_error()) return RedisErrorStatus(replies->front().str);
  return std::move(replies->front());
}

bool IsReadOnly(const RedisCommand& command) {
  // The reads this service sends, named in capitals as it sends them;
  // anything else may write.
  static const auto* const kReads = new absl::flat_hash_set<std::string>{
      "EVALSHA_RO", "EVAL_RO",   "EXISTS",    "GET",      "HGET",
      "HGETALL",    "HMGET",     "LLEN",      "LRANGE",   "MGET",
      "PFCOUNT",    "PING",      "SCARD",     "SCRIPT",  // loads change no key
      "SISMEMBER",  "SMEMBERS",  "TTL",       "XLEN",     "XRANGE",
      "XREVRANGE",  "ZCARD",     "ZCOUNT",    "ZRANGE",   "ZRANGEBYSCORE",
      "ZRANK",      "ZREVRANGE", "ZREVRANGEBYSCORE",      "ZREVRANK",
      "ZSCORE"};
  return !command.empty() && kReads->contains(command[0]);
}

int64_t ParseInteger(absl::string_view text) {
  int64_t value = 0;
  return absl::SimpleAtoi(text, &value) ? value : 0;
}

absl::Status RedisErrorStatus(absl::string_view error) {
  for (absl::string_view transient : {"LOADING", "BUSY", "MASTERDOWN",
                                      "TRYAGAIN", "READONLY", "NOSCRIPT"}) {
    if (absl::StartsWith(error, transient)) {
      return absl::UnavailableError(absl::StrCat("redis: ", error));
    }
  }
  if (absl::StartsWith(error, "OOM")) {
    return absl::ResourceExhaustedError(absl::StrCat("redis: ", error));
  }
  return absl::InternalError(absl::StrCat("redis: ", error));
}

}  // namespace plaudit
