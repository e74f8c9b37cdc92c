#include "services/rules/rule_cache.h"

namespace plaudit {

absl::StatusOr<std::shared_ptr<const RuleSnapshot>> RuleCache::Current() {
  {
    absl::MutexLock lock(&mu_);
    if (snapshot_ != nullptr) return snapshot_;
  }
  return Reload();
}

absl::StatusOr<std::shared_ptr<const RuleSnapshot>> RuleCache::Reload() {
  // Read outside the lock: no lock is held across I/O.
  absl::StatusOr<RuleSnapshot> fresh = store_->Snapshot();
  if (!fresh.ok()) return fresh.status();
  return Keep(*std::move(fresh));
}

void RuleCache::ReloadAsync(SnapshotDone done) {
  store_->SnapshotAsync(
      [this, done = std::move(done)](absl::StatusOr<RuleSnapshot> fresh) {
        if (!fresh.ok()) return done(fresh.status());
        done(Keep(*std::move(fresh)));
      });
}

std::shared_ptr<const RuleSnapshot> RuleCache::Keep(RuleSnapshot fresh) {
  auto snapshot = std::make_shared<const RuleSnapshot>(std::move(fresh));
  absl::MutexLock lock(&mu_);
  // Replaced even by a lower version (Redis lost its data): a reload that
  // finished out of order is only answered STALE once more, never paid by.
  snapshot_ = snapshot;
  return snapshot;
}

}  // namespace plaudit
