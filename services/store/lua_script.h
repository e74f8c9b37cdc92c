// Lua scripts called by SHA (EVALSHA), loaded on demand: a NOSCRIPT reply
// (first use, or a Redis restart that dropped the script cache) triggers
// SCRIPT LOAD and one resend. NOSCRIPT means the script never ran, so the
// resend cannot apply anything twice.
#ifndef PLAUDIT_SERVICES_STORE_LUA_SCRIPT_H_
#define PLAUDIT_SERVICES_STORE_LUA_SCRIPT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/store/redis_client.h"

namespace plaudit {

class LuaScript {
 public:
  // A read-only script runs with EVALSHA_RO: Redis refuses any write in it,
  // and callers know it changes nothing (RedisClient::write_generation).
  // One that writes only keys no cache reads (Writes::kUncachedOnly: an
  // inbox's read mark, an outbox consumer's bookkeeping) leaves the write
  // generation alone.
  enum class Mode { kReadWrite, kReadOnly, kUncachedWrites };

  explicit LuaScript(absl::string_view source, Mode mode = Mode::kReadWrite);

  const std::string& source() const { return source_; }
  const std::string& sha() const { return sha_; }
  const char* eval_command() const {
    return mode_ == Mode::kReadOnly ? "EVALSHA_RO" : "EVALSHA";
  }
  Writes writes() const {
    return mode_ == Mode::kReadWrite ? Writes::kAnything
                                     : Writes::kUncachedOnly;
  }

 private:
  std::string source_;
  std::string sha_;  // SHA-1 hex, as Redis computes it
  Mode mode_;
};

struct ScriptCall {
  const LuaScript* script;
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

// Runs the calls in one pipeline; replies in order. An error reply fails the
// whole call with RedisErrorStatus (UNAVAILABLE when passing, else INTERNAL);
// every script is idempotent, so the caller's retry is safe.
using ScriptsDone = RedisDone;

// RunScripts without waiting: `done` runs on a Redis lane's thread (see
// RedisDone).
// `shared`: the scripts only read, and identical calls still queued may
// share one execution (see RedisClient::SendShared).
void RunScriptsAsync(RedisClient& redis, std::vector<ScriptCall> calls,
                     ScriptsDone done, bool shared = false);
absl::StatusOr<std::vector<RedisValue>> RunScripts(
    RedisClient& redis, const std::vector<ScriptCall>& calls);
absl::StatusOr<RedisValue> RunScript(RedisClient& redis,
                                     const ScriptCall& call);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_LUA_SCRIPT_H_
