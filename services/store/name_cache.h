// Display names kept in memory, so that a leaderboard read need not fetch
// a dozen names from Redis each time. Every script that changes a name bumps
// the tenant's names version (KeySchema::NamesVersion), and every read
// returns the version it saw: the cache holds names of one version only and
// starts over when a read reports another. A name served is thus the one
// Redis held at the version the read saw — a rename shows on the next read
// on every replica, with no age to wait for.
#ifndef PLAUDIT_SERVICES_STORE_NAME_CACHE_H_
#define PLAUDIT_SERVICES_STORE_NAME_CACHE_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace plaudit {

// What a read's script said of the names: the version it saw, and whether
// it sent the names (it does only when the caller held another version).
struct NamesSeen {
  std::string version;
  bool sent = false;
};

class NameCache {
 public:
  // max_entries = 0: nothing is kept.
  explicit NameCache(size_t max_entries) : max_entries_(max_entries) {}

  // The name of `user` at `version`, if kept ("" = the user has none).
  std::optional<std::string> Find(absl::string_view version,
                                  absl::string_view user) const {
    absl::ReaderMutexLock lock(&mu_);
    if (version != version_) return std::nullopt;
    auto it = names_.find(user);
    if (it == names_.end()) return std::nullopt;
    return it->second;
  }

  // The version the cache holds ("" = none yet): reads pass it to their
  // script, which sends names only when Redis holds another.
  std::string version() const {
    absl::ReaderMutexLock lock(&mu_);
    return version_;
  }

  // `name` was read together with `version`.
  void Keep(absl::string_view version, absl::string_view user,
            absl::string_view name) {
    if (max_entries_ == 0) return;
    absl::MutexLock lock(&mu_);
    // Versions only ever differ by a change (or Redis starting over
    // empty): whichever a read saw last is the one worth holding.
    if (version != version_) {
      names_.clear();
      version_ = std::string(version);
    }
    // Bounded: a full cache restarts (hot names come back at once).
    if (names_.size() >= max_entries_ && !names_.contains(user)) {
      names_.clear();
    }
    names_[user] = std::string(name);
  }

 private:
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  std::string version_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> names_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_NAME_CACHE_H_
