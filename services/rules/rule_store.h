// Rules in Redis: CRUD with a revision trail, and consistent snapshots for
// the in-process cache. Every write bumps the tenant's rules version in the
// same script, which is how other replicas learn their cache is stale.
#ifndef PLAUDIT_SERVICES_RULES_RULE_STORE_H_
#define PLAUDIT_SERVICES_RULES_RULE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "plaudit/v1/rule_service.pb.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/lua_script.h"
#include "services/store/redis_client.h"

namespace plaudit {

struct RuleSnapshot {
  int64_t version = 0;
  std::vector<v1::Rule> rules;  // sorted by rule_id
};

// A rule as it was just before a write and as it was written (what the
// compare-and-set replaced: exact for the audit trail).
struct RuleChange {
  v1::Rule before;
  v1::Rule after;
};

struct RevisionPage {
  std::vector<v1::RuleRevision> revisions;  // newest first
  int64_t total = 0;
};

class RuleStore {
 public:
  RuleStore(RedisClient* redis, KeySchema keys, Clock clock);

  // Rules are validated by the caller. ALREADY_EXISTS / NOT_FOUND as usual.
  absl::StatusOr<v1::Rule> Create(v1::Rule rule, const std::string& changed_by);
  absl::StatusOr<v1::Rule> Get(const std::string& rule_id);
  // Applies `mask` paths of `patch` (all fields when empty) to the stored
  // rule; `validate` checks the merged result before it is written.
  absl::StatusOr<RuleChange> Update(
      const v1::Rule& patch, const google::protobuf::FieldMask& mask,
      const std::function<absl::Status(const v1::Rule&)>& validate,
      const std::string& changed_by);
  // Returns the rule as it was when deleted.
  absl::StatusOr<v1::Rule> Delete(const std::string& rule_id,
                                  const std::string& changed_by);
  // Newest first: up to `limit` revisions older than revision `before`
  // (0 = from the newest). Revisions are append-only, so pages are stable.
  absl::StatusOr<RevisionPage> Revisions(const std::string& rule_id,
                                         int64_t before, int64_t limit);
  absl::StatusOr<RuleSnapshot> Snapshot();
  // Snapshot without waiting; `done` runs on a Redis lane (see RedisDone).
  void SnapshotAsync(std::function<void(absl::StatusOr<RuleSnapshot>)> done);

 private:
  ScriptCall SnapshotCall() const;
  enum class WriteOutcome { kOk, kExists, kNotFound, kConflict };
  absl::StatusOr<WriteOutcome> Write(absl::string_view mode,
                                     const std::string& rule_id,
                                     const std::string& expected,
                                     const v1::Rule* after,
                                     const v1::RuleRevision& revision);
  absl::StatusOr<std::string> ReadSerialized(const std::string& rule_id);
  v1::RuleRevision MakeRevision(v1::RuleRevision::Kind kind,
                                const std::string& rule_id,
                                const std::string& changed_by) const;

  RedisClient* redis_;
  const KeySchema keys_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RULES_RULE_STORE_H_
