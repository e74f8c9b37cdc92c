#include "services/store/lua_script.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "openssl/sha.h"

namespace plaudit {
namespace {

std::string Sha1Hex(absl::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * SHA_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

RedisCommand EvalShaCommand(const ScriptCall& call) {
  RedisCommand command;
  command.reserve(3 + call.keys.size() + call.args.size());
  command.push_back(call.script->eval_command());
  command.push_back(call.script->sha());
  command.push_back(absl::StrCat(call.keys.size()));
  command.insert(command.end(), call.keys.begin(), call.keys.end());
  command.insert(command.end(), call.args.begin(), call.args.end());
  return command;
}

bool IsNoScript(const RedisValue& value) {
  return value.is_error() && absl::StartsWith(value.str, "NOSCRIPT");
}

}  // namespace

LuaScript::LuaScript(absl::string_view source, Mode mode)
    : source_(source), sha_(Sha1Hex(source)), mode_(mode) {}

namespace {

// One RunScriptsAsync: the commands sent and what is still to do.
struct ScriptBatch {
  RedisClient* redis;
  std::vector<ScriptCall> calls;
  ScriptsDone done;
  Writes writes = Writes::kAnything;

  // Error replies fail the whole batch; every script is idempotent, so the
  // caller's retry is safe.
  void Finish(RedisReplies replies) {
    if (replies.ok()) {
      for (const RedisValue& reply : *replies) {
        if (reply.is_error()) {
          replies = RedisErrorStatus(reply.str);
          break;
        }
      }
    }
    done(std::move(replies));
  }
};

// Loads each missing script once, then resends only the calls that missed.
void ReloadMissing(std::shared_ptr<ScriptBatch> batch,
                   std::vector<RedisValue> replies) {
  std::vector<RedisCommand> retry;
  std::vector<size_t> retry_index;  // a call's index, or size() for a load
  std::vector<const LuaScript*> loaded;
  const size_t n = batch->calls.size();
  for (size_t i = 0; i < n; ++i) {
    if (!IsNoScript(replies[i])) continue;
    const LuaScript* script = batch->calls[i].script;
    if (std::find(loaded.begin(), loaded.end(), script) == loaded.end()) {
      loaded.push_back(script);
      retry.push_back({"SCRIPT", "LOAD", script->source()});
      retry_index.push_back(n);
    }
    retry.push_back(EvalShaCommand(batch->calls[i]));
    retry_index.push_back(i);
  }
  if (retry.empty()) return batch->Finish(std::move(replies));
  auto first = std::make_shared<std::vector<RedisValue>>(std::move(replies));
  RedisClient* redis = batch->redis;
  const Writes writes = batch->writes;
  redis->Send(std::move(retry), [batch = std::move(batch), first,
                                 retry_index = std::move(retry_index)](
                                    RedisReplies second) {
    if (!second.ok()) return batch->Finish(second.status());
    const size_t n = batch->calls.size();
    for (size_t j = 0; j < second->size(); ++j) {
      RedisValue& reply = (*second)[j];
      if (retry_index[j] == n) {
        if (reply.is_error()) return batch->Finish(RedisErrorStatus(reply.str));
        continue;
      }
      (*first)[retry_index[j]] = std::move(reply);
    }
    batch->Finish(std::move(*first));
  }, writes);
}

// Names the exact commands: each argument length-prefixed, so no two
// different command lists share a key.
std::string ShareKey(const std::vector<RedisCommand>& commands) {
  std::string key;
  for (const RedisCommand& command : commands) {
    for (const std::string& arg : command) absl::StrAppend(&key, arg.size(), ":", arg);
    key.push_back('\n');
  }
  return key;
}

}  // namespace

void RunScriptsAsync(RedisClient& redis, std::vector<ScriptCall> calls,
                     ScriptsDone done, bool shared) {
  std::vector<RedisCommand> commands;
  commands.reserve(calls.size());
  for (const ScriptCall& call : calls) commands.push_back(EvalShaCommand(call));
  // The calls are kept for a NOSCRIPT resend.
  auto batch = std::make_shared<ScriptBatch>(
      ScriptBatch{&redis, std::move(calls), std::move(done)});
  auto on_replies = [batch](RedisReplies replies) mutable {
    if (!replies.ok()) return batch->Finish(replies.status());
    ReloadMissing(std::move(batch), *std::move(replies));
  };
  Writes writes = Writes::kUncachedOnly;
  for (const ScriptCall& call : batch->calls) {
    if (call.script->writes() == Writes::kAnything) writes = Writes::kAnything;
  }
  batch->writes = writes;
  if (shared) {
    std::string key = ShareKey(commands);
    redis.SendShared(std::move(key), std::move(commands), std::move(on_replies));
  } else {
    redis.Send(std::move(commands), std::move(on_replies), writes);
  }
}

absl::StatusOr<std::vector<RedisValue>> RunScripts(
    RedisClient& redis, const std::vector<ScriptCall>& calls) {
  return AwaitReplies(
      [&](RedisDone done) { RunScriptsAsync(redis, calls, std::move(done)); });
}

absl::StatusOr<RedisValue> RunScript(RedisClient& redis,
                                     const ScriptCall& call) {
  absl::StatusOr<std::vector<RedisValue>> replies = RunScripts(redis, {call});
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

}  // namespace plaudit
