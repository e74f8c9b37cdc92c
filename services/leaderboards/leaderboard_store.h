// Reads of the leaderboards the award scripts write (see
// store/lua/boards_lib.lua), and moving a user on or off the boards.
#ifndef PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_STORE_H_
#define PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plaudit/v1/leaderboard_service.pb.h"
#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/name_cache.h"
#include "services/store/read_cache.h"
#include "services/store/redis_client.h"

namespace plaudit {

// A position in a board's order: pages continue after it.
struct BoardCursor {
  int64_t score = 0;
  std::string user_id;
};

struct BoardPage {
  int64_t participants = 0;
  std::vector<v1::LeaderboardEntry> entries;
  bool more = false;  // entries exist after the last one
};

struct RankView {
  v1::LeaderboardEntry entry;
  int64_t participants = 0;
  bool hidden = false;
  std::vector<v1::LeaderboardEntry> above;
  std::vector<v1::LeaderboardEntry> below;
};

class LeaderboardStore {
 public:
  // Pages are served again from memory for up to `page_cache_max_age`
  // while this process writes nothing (see ReadCache); 0 = always read.
  LeaderboardStore(RedisClient* redis, KeySchema keys, Clock clock,
                   absl::Duration page_cache_max_age)
      : redis_(redis),
        keys_(std::move(keys)),
        clock_(std::move(clock)),
        pages_(page_cache_max_age),
        names_(kNamesKept) {}

  // The reads on the hot path answer through a callback that runs on a
  // Redis lane (see RedisDone).
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `after` = nullptr for the first page. Pages are shared (read-only):
  // many calls get the same one. A page found in memory answers at once,
  // on the caller's thread, and Page returns true.
  bool Page(const std::string& bucket_key, const std::string& scope,
            const BoardCursor* after, int count,
            Done<std::shared_ptr<const BoardPage>> done);
  // NOT_FOUND when the user has no score on the board.
  void Rank(const std::string& bucket_key, const std::string& scope,
            const std::string& user_id, int neighbors, Done<RankView> done);
  // "global" first, then the groups, sorted.
  absl::StatusOr<std::vector<std::string>> Scopes(const std::string& user_id);
  // NOT_FOUND for an unknown user. `buckets`: every retained bucket.
  absl::Status SetHidden(const std::string& user_id, bool hidden,
                         absl::Time now,
                         const std::vector<BoardBucket>& buckets);

 private:
  // Names kept per tenant: a 250,000-person company's in about 20 MB.
  static constexpr size_t kNamesKept = 250000;

  // Gives `entries` the names their read did not send (see NameCache):
  // from memory, else with one HMGET; then `done`.
  void CompleteNames(const NamesSeen& seen,
                     std::vector<v1::LeaderboardEntry*> entries,
                     std::function<void(absl::Status)> done);

  RedisClient* redis_;
  const KeySchema keys_;
  const Clock clock_;
  ReadCache<BoardPage> pages_;
  NameCache names_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_LEADERBOARDS_LEADERBOARD_STORE_H_
