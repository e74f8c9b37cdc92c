#include "services/store/redis_client.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "hiredis/hiredis.h"

namespace plaudit {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

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
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(command.size());
  lengths.reserve(command.size());
  for (const std::string& arg : command) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return redisAppendCommandArgv(context, static_cast<int>(argv.size()),
                                argv.data(), lengths.data()) == REDIS_OK;
}

}  // namespace

void RedisClient::ContextDeleter::operator()(redisContext* context) const {
  redisFree(context);
}

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Create(
    RedisOptions options) {
  // hiredis writes with write(2): a server that went away would kill the
  // process with SIGPIPE instead of failing the call with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const std::string& address = options.address;
  if (absl::StartsWith(address, "unix://")) {
    std::string path = address.substr(strlen("unix://"));
    if (path.empty()) {
      return absl::InvalidArgumentError("redis address: unix:// needs a path");
    }
    return std::unique_ptr<RedisClient>(
        new RedisClient(std::move(options), true, std::move(path), 0));
  }
  if (absl::StartsWith(address, "tcp://")) {
    const std::string rest = address.substr(strlen("tcp://"));
    const size_t colon = rest.rfind(':');
    int port = 0;
    if (colon == std::string::npos || colon == 0 ||
        !absl::SimpleAtoi(rest.substr(colon + 1), &port) || port <= 0 ||
        port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis address: expected tcp://host:port, got ",
                       address));
    }
    std::string host = rest.substr(0, colon);
    return std::unique_ptr<RedisClient>(
        new RedisClient(std::move(options), false, std::move(host), port));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "redis address: expected tcp://host:port or unix:///path, got ",
      address));
}

RedisClient::RedisClient(RedisOptions options, bool unix_socket,
                         std::string host, int port)
    : options_(std::move(options)),
      unix_socket_(unix_socket),
      host_(std::move(host)),
      port_(port) {}

RedisClient::~RedisClient() = default;

absl::StatusOr<RedisClient::Connection> RedisClient::Acquire() {
  for (;;) {
    Connection idle;
    {
      absl::MutexLock lock(&mu_);
      // Wait for an idle connection or room for a new one.
      auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < options_.max_connections;
      };
      if (!mu_.AwaitWithTimeout(absl::Condition(&available), options_.timeout)) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "redis: all ", options_.max_connections, " connections busy"));
      }
      if (idle_.empty()) {
        ++open_;  // reserved for the connection opened below
        break;
      }
      idle = std::move(idle_.back());
      idle_.pop_back();
    }
    if (StillOpen(*idle)) return idle;
    Forget();  // the server hung up on it
  }
  const timeval timeout = absl::ToTimeval(options_.timeout);
  Connection connection(
      unix_socket_ ? redisConnectUnixWithTimeout(host_.c_str(), timeout)
                   : redisConnectWithTimeout(host_.c_str(), port_, timeout));
  if (connection == nullptr) {
    Forget();
    return absl::ResourceExhaustedError("redis: cannot allocate a connection");
  }
  if (options_.observer) options_.observer->OnConnect(connection->err == 0);
  if (connection->err != 0) {
    Forget();
    return absl::UnavailableError(absl::StrCat(
        "redis: cannot connect to ", options_.address, ": ",
        connection->errstr));
  }
  redisSetTimeout(connection.get(), timeout);
  return connection;
}

void RedisClient::DropIdle() {
  std::vector<Connection> dropped;
  absl::MutexLock lock(&mu_);
  dropped.swap(idle_);
  open_ -= static_cast<int>(dropped.size());
}

void RedisClient::Forget() {
  absl::MutexLock lock(&mu_);
  --open_;
}

void RedisClient::Release(Connection connection) {
  size_t idle = 0, open = 0;
  {
    absl::MutexLock lock(&mu_);
    if (static_cast<int>(idle_.size()) < options_.max_idle_connections) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;  // closed below, outside the lock
    }
    idle = idle_.size();
    open = static_cast<size_t>(std::max(open_, 0));
  }
  if (options_.observer) options_.observer->OnPool(idle, open);
}

absl::StatusOr<RedisValue> RedisClient::Run(const RedisCommand& command) {
  absl::StatusOr<std::vector<RedisValue>> replies = RunPipeline({command});
  if (!replies.ok()) return replies.status();
  if (replies->front().is_error()) return RedisErrorStatus(replies->front().str);
  return std::move(replies->front());
}

absl::StatusOr<std::vector<RedisValue>> RedisClient::RunPipeline(
    const std::vector<RedisCommand>& commands) {
  if (options_.observer == nullptr) return Exchange(commands);
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<RedisValue>> values = Exchange(commands);
  options_.observer->OnRoundTrip(absl::Now() - start, commands.size(),
                                 values.status());
  return values;
}

absl::StatusOr<std::vector<RedisValue>> RedisClient::Exchange(
    const std::vector<RedisCommand>& commands) {
  absl::StatusOr<Connection> connection = Acquire();
  if (!connection.ok()) return connection.status();
  redisContext* context = connection->get();
  for (const RedisCommand& command : commands) {
    if (!AppendCommand(context, command)) {
      Forget();
      return absl::ResourceExhaustedError("redis: cannot buffer a command");
    }
  }

  std::vector<RedisValue> values;
  values.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
      // The connection is in an unknown state: drop it (not released).
      const absl::Status error = ContextError(*context);
      Forget();  // this connection is dropped (not released)
      if (!absl::IsDeadlineExceeded(error)) DropIdle();
      return error;
    }
    Reply reply(static_cast<redisReply*>(raw));
    values.push_back(CopyReply(*reply));
  }
  Release(*std::move(connection));
  return values;
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
