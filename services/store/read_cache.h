// Results of hot reads (the top of a leaderboard), served again without
// Redis. An entry serves while the RedisClient has acknowledged no write
// since its read was sent (RedisClient::write_generation), so a caller sees
// every write this process acknowledged before its call, as a fresh read
// would. Writes made through another process (a second plauditd), and a
// write this process reported as failed that Redis still applied, are not
// seen by the generation: `max_age` bounds how long they may go unseen.
#ifndef PLAUDIT_SERVICES_STORE_READ_CACHE_H_
#define PLAUDIT_SERVICES_STORE_READ_CACHE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace plaudit {

template <typename T>
class ReadCache {
 public:
  // When a read was sent: taken before sending it.
  struct Stamp {
    uint64_t generation = 0;
    absl::Time sent_at;
  };

  // max_age <= 0: nothing is kept.
  explicit ReadCache(absl::Duration max_age, size_t max_entries = 1024)
      : max_age_(max_age), max_entries_(max_entries) {}

  // The value kept under `key`, if still good at `now` and `generation`.
  std::shared_ptr<const T> Find(const std::string& key, uint64_t generation,
                                absl::Time now) const {
    if (max_age_ <= absl::ZeroDuration()) return nullptr;
    absl::ReaderMutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    const Entry& entry = it->second;
    const absl::Duration age = now - entry.stamp.sent_at;
    // A clock stepped back makes the age negative: not trusted either.
    if (entry.stamp.generation != generation || age < absl::ZeroDuration() ||
        age >= max_age_) {
      return nullptr;
    }
    return entry.value;
  }

  void Keep(const std::string& key, Stamp stamp,
            std::shared_ptr<const T> value) {
    if (max_age_ <= absl::ZeroDuration()) return;
    absl::MutexLock lock(&mu_);
    // Hot keys come back at once; a full cache of cold ones just restarts.
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
      entries_.clear();
    }
    Entry& entry = entries_[key];
    // Reads answered out of order: one stamped after a write keeps its place.
    if (entry.value != nullptr && entry.stamp.generation > stamp.generation) {
      return;
    }
    entry = Entry{stamp, std::move(value)};
  }

 private:
  struct Entry {
    Stamp stamp;
    std::shared_ptr<const T> value;
  };

  const absl::Duration max_age_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_READ_CACHE_H_
