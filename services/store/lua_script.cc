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
  command.push_back("EVALSHA");
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

LuaScript::LuaScript(absl::string_view source)
    : source_(source), sha_(Sha1Hex(source)) {}

absl::StatusOr<std::vector<RedisValue>> RunScripts(
    RedisClient& redis, const std::vector<ScriptCall>& calls) {
  std::vector<RedisCommand> commands;
  commands.reserve(calls.size());
  for (const ScriptCall& call : calls) commands.push_back(EvalShaCommand(call));
  absl::StatusOr<std::vector<RedisValue>> replies =
      redis.RunPipeline(commands);
  if (!replies.ok()) return replies.status();

  // Load each missing script once, then resend only the calls that missed.
  std::vector<RedisCommand> retry;
  std::vector<size_t> retry_index;
  std::vector<const LuaScript*> loaded;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (!IsNoScript((*replies)[i])) continue;
    const LuaScript* script = calls[i].script;
    if (std::find(loaded.begin(), loaded.end(), script) == loaded.end()) {
      loaded.push_back(script);
      retry.push_back({"SCRIPT", "LOAD", script->source()});
      retry_index.push_back(calls.size());  // marks a load, not a call
    }
    retry.push_back(commands[i]);
    retry_index.push_back(i);
  }
  if (!retry.empty()) {
    absl::StatusOr<std::vector<RedisValue>> second = redis.RunPipeline(retry);
    if (!second.ok()) return second.status();
    for (size_t j = 0; j < retry.size(); ++j) {
      if (retry_index[j] == calls.size()) {
        if ((*second)[j].is_error()) return RedisErrorStatus((*second)[j].str);
        continue;
      }
      (*replies)[retry_index[j]] = std::move((*second)[j]);
    }
  }
  for (const RedisValue& reply : *replies) {
    if (reply.is_error()) return RedisErrorStatus(reply.str);
  }
  return replies;
}

absl::StatusOr<RedisValue> RunScript(RedisClient& redis,
                                     const ScriptCall& call) {
  absl::StatusOr<std::vector<RedisValue>> replies = RunScripts(redis, {call});
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

}  // namespace plaudit
