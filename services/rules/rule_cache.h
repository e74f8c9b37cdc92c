// The rules every award is computed with, cached in the process. The award
// script checks the cached version against Redis and answers STALE when a
// newer one exists; the recorder then calls Reload() and tries again, so no
// replica ever pays by rules that were already changed.
#ifndef PLAUDIT_SERVICES_RULES_RULE_CACHE_H_
#define PLAUDIT_SERVICES_RULES_RULE_CACHE_H_

#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/rules/rule_store.h"

namespace plaudit {

class RuleCache {
 public:
  explicit RuleCache(RuleStore* store) : store_(store) {}

  // The cached snapshot, loaded on first use.
  absl::StatusOr<std::shared_ptr<const RuleSnapshot>> Current();
  // Reads the rules again (after STALE, or after a local write).
  absl::StatusOr<std::shared_ptr<const RuleSnapshot>> Reload();
  using SnapshotDone =
      std::function<void(absl::StatusOr<std::shared_ptr<const RuleSnapshot>>)>;
  // Reload without waiting; `done` runs on a Redis lane (see RedisDone).
  void ReloadAsync(SnapshotDone done);

 private:
  std::shared_ptr<const RuleSnapshot> Keep(RuleSnapshot fresh);

  RuleStore* store_;
  absl::Mutex mu_;
  std::shared_ptr<const RuleSnapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RULES_RULE_CACHE_H_
