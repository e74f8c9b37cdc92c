#include "services/leaderboards/leaderboard_store.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/error_reason.h"
#include "services/leaderboards/board_request.h"
#include "services/store/bucket_args.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"

namespace plaudit {
namespace {

// Boards store -points (so ascending order is best first).
int64_t ScoreOf(const std::string& stored) {
  double value = 0;
  return absl::SimpleAtod(stored, &value) ? -std::llround(value) : 0;
}

// Reads n x (user, stored score, rank, name) from `values` at `*i`.
std::vector<v1::LeaderboardEntry> ReadEntries(
    const std::vector<RedisValue>& values, size_t* i, int64_t n) {
  std::vector<v1::LeaderboardEntry> entries;
  entries.reserve(n);
  for (int64_t k = 0; k < n; ++k, *i += 4) {
    v1::LeaderboardEntry entry;
    entry.set_user_id(values.at(*i).str);
    entry.set_score(ScoreOf(values.at(*i + 1).str));
    entry.set_rank(values.at(*i + 2).integer);
    entry.set_display_name(values.at(*i + 3).str);
    entries.push_back(std::move(entry));
  }
  return entries;
}

NamesSeen ReadNamesSeen(const std::vector<RedisValue>& values, size_t at) {
  return {values.at(at).str, values.at(at + 1).integer == 1};
}

absl::StatusOr<BoardPage> ParsePage(const std::string& scope, int count,
                                    RedisReplies replies, NamesSeen* names) {
  if (!replies.ok()) return replies.status();
  const auto& values = replies->front().elements;
  if (values.at(0).str == "NO_SCOPE") return UnknownScope(scope);
  BoardPage page;
  page.participants = values.at(0).integer;
  *names = ReadNamesSeen(values, 1);
  size_t i = 4;
  page.entries = ReadEntries(values, &i, values.at(3).integer);
  if (static_cast<int>(page.entries.size()) > count) {
    page.entries.pop_back();
    page.more = true;
  }
  return page;
}

absl::StatusOr<RankView> ParseRank(const std::string& bucket_key,
                                   const std::string& scope,
                                   const std::string& user_id,
                                   RedisReplies replies, NamesSeen* names) {
  if (!replies.ok()) return replies.status();
  const auto& values = replies->front().elements;
  if (values.at(0).str == "NO_SCOPE") return UnknownScope(scope);
  if (values.at(0).str == "NOT_FOUND") {
    return WithReason(absl::NotFoundError(absl::StrCat(
                          "user ", user_id, " has no score on the ", scope,
                          " board of ", bucket_key)),
                      "NOT_ON_BOARD");
  }
  *names = ReadNamesSeen(values, 1);
  RankView view;
  view.entry.set_user_id(user_id);
  view.entry.set_score(ScoreOf(values.at(3).str));
  view.entry.set_rank(values.at(4).integer);
  view.participants = values.at(5).integer;
  view.hidden = values.at(6).integer == 1;
  view.entry.set_display_name(values.at(7).str);
  size_t i = 9;
  view.above = ReadEntries(values, &i, values.at(8).integer);
  const int64_t below = values.at(i++).integer;
  view.below = ReadEntries(values, &i, below);
  return view;
}

}  // namespace

bool LeaderboardStore::Page(const std::string& bucket_key,
                            const std::string& scope, const BoardCursor* after,
                            int count,
                            Done<std::shared_ptr<const BoardPage>> done) {
  // Only first pages are kept: everyone reads the top of a board, while
  // deeper pages are one reader's and would only crowd the cache.
  std::string cache_key;
  if (after == nullptr) {
    // Lengths keep any two different boards apart.
    cache_key = absl::StrCat(bucket_key.size(), ":", bucket_key, scope.size(),
                             ":", scope, "|", count);
  }
  // Stamped before the read is sent: see ReadCache.
  const ReadCache<BoardPage>::Stamp stamp{redis_->write_generation(), clock_()};
  if (auto page = cache_key.empty() ? nullptr
                                    : pages_.Find(cache_key, stamp.generation,
                                                  stamp.sent_at)) {
    done(std::move(page));
    return true;
  }
  ScriptCall call{
      &LeaderboardPageScript(),
      {keys_.Board(bucket_key, scope), keys_.Names(), keys_.Groups(),
       keys_.NamesVersion()},
      // One more than asked tells whether another page exists.
      {absl::StrCat(count + 1), after ? absl::StrCat(-after->score) : "",
       after ? after->user_id : "", scope, names_.version()}};
  RunScriptsAsync(
      *redis_, {std::move(call)},
      [this, cache_key = std::move(cache_key), stamp, scope, count,
       done = std::move(done)](RedisReplies replies) mutable {
        NamesSeen names;
        absl::StatusOr<BoardPage> page =
            ParsePage(scope, count, std::move(replies), &names);
        if (!page.ok()) return done(page.status());
        auto shared = std::make_shared<BoardPage>(*std::move(page));
        std::vector<v1::LeaderboardEntry*> entries;
        for (v1::LeaderboardEntry& entry : shared->entries) {
          entries.push_back(&entry);
        }
        CompleteNames(names, std::move(entries),
                      [this, cache_key = std::move(cache_key), stamp, shared,
                       done = std::move(done)](absl::Status named) {
                        if (!named.ok()) return done(named);
                        if (!cache_key.empty()) {
                          pages_.Keep(cache_key, stamp, shared);
                        }
                        done(shared);
                      });
      },
      /*shared=*/true);  // everyone reads the same top of a board
  return false;
}

void LeaderboardStore::Rank(const std::string& bucket_key,
                            const std::string& scope,
                            const std::string& user_id, int neighbors,
                            Done<RankView> done) {
  RunScriptsAsync(
      *redis_,
      {{&LeaderboardRankScript(),
        {keys_.Board(bucket_key, scope),
         keys_.Board(bucket_key, scope, /*hidden=*/true), keys_.Names(),
         keys_.Groups(), keys_.NamesVersion()},
        {user_id, absl::StrCat(neighbors), scope, names_.version()}}},
      [this, bucket_key, scope, user_id,
       done = std::move(done)](RedisReplies replies) mutable {
        NamesSeen names;
        absl::StatusOr<RankView> parsed =
            ParseRank(bucket_key, scope, user_id, std::move(replies), &names);
        if (!parsed.ok()) return done(parsed.status());
        auto view = std::make_shared<RankView>(*std::move(parsed));
        std::vector<v1::LeaderboardEntry*> entries{&view->entry};
        for (auto* side : {&view->above, &view->below}) {
          for (v1::LeaderboardEntry& entry : *side) entries.push_back(&entry);
        }
        CompleteNames(names, std::move(entries),
                      [view, done = std::move(done)](absl::Status named) {
                        if (!named.ok()) return done(named);
                        done(std::move(*view));
                      });
      });
}

void LeaderboardStore::CompleteNames(const NamesSeen& seen,
                                     std::vector<v1::LeaderboardEntry*> entries,
                                     std::function<void(absl::Status)> done) {
  if (seen.sent) {
    for (const v1::LeaderboardEntry* entry : entries) {
      names_.Keep(seen.version, entry->user_id(), entry->display_name());
    }
    return done(absl::OkStatus());
  }
  std::vector<v1::LeaderboardEntry*> missing;
  for (v1::LeaderboardEntry* entry : entries) {
    if (auto name = names_.Find(seen.version, entry->user_id())) {
      entry->set_display_name(*std::move(name));
    } else {
      missing.push_back(entry);
    }
  }
  if (missing.empty()) return done(absl::OkStatus());
  RedisCommand read{"HMGET", keys_.Names()};
  for (const v1::LeaderboardEntry* entry : missing) {
    read.push_back(entry->user_id());
  }
  // Read after the version was: a name renamed since is newer, never older,
  // and the next read sees the new version and starts the cache over.
  redis_->Send({std::move(read)}, [this, version = seen.version,
                                   missing = std::move(missing),
                                   done =
                                       std::move(done)](RedisReplies replies) {
    if (!replies.ok()) return done(replies.status());
    const RedisValue& reply = replies->front();
    if (reply.is_error()) return done(RedisErrorStatus(reply.str));
    for (size_t i = 0; i < missing.size(); ++i) {
      missing[i]->set_display_name(reply.elements.at(i).str);  // nil: ""
      names_.Keep(version, missing[i]->user_id(), missing[i]->display_name());
    }
    done(absl::OkStatus());
  });
}

absl::StatusOr<std::vector<std::string>> LeaderboardStore::Scopes(
    const std::string& user_id) {
  absl::StatusOr<RedisValue> reply =
      redis_->Run({"SMEMBERS", keys_.Scopes(user_id)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> scopes;
  for (const RedisValue& value : reply->elements) scopes.push_back(value.str);
  std::sort(scopes.begin(), scopes.end(),
            [](const std::string& a, const std::string& b) {
              return std::make_pair(a != "global", a) <
                     std::make_pair(b != "global", b);
            });
  return scopes;
}

absl::Status LeaderboardStore::SetHidden(
    const std::string& user_id, bool hidden, absl::Time now,
    const std::vector<BoardBucket>& buckets) {
  ScriptCall call{&VisibilityScript(),
                  {keys_.User(user_id)},
                  {keys_.prefix(), user_id, hidden ? "1" : "0",
                   absl::StrCat(absl::ToUnixMillis(now))}};
  AppendBucketArgs(buckets, &call.args);
  absl::StatusOr<RedisValue> reply = RunScript(*redis_, call);
  if (!reply.ok()) return reply.status();
  if (reply->elements.at(0).str == "NOT_FOUND") {
    return WithReason(absl::NotFoundError(absl::StrCat(
                          "user ", user_id, " not found; sync it first")),
                      "USER_NOT_FOUND");
  }
  return absl::OkStatus();
}

}  // namespace plaudit
