#include "services/rules/rule_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/error_reason.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"

namespace plaudit {
namespace {

using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;

constexpr int kMaxConflictRetries = 5;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

absl::Status NotFound(const std::string& rule_id) {
  return WithReason(
      absl::NotFoundError(absl::StrCat("rule ", rule_id, " not found")),
      "RULE_NOT_FOUND");
}

absl::StatusOr<v1::Rule> ParseRule(const std::string& bytes) {
  v1::Rule rule;
  if (!rule.ParseFromString(bytes)) {
    return absl::DataLossError("stored rule is not a valid Rule message");
  }
  return rule;
}

}  // namespace

RuleStore::RuleStore(RedisClient* redis, KeySchema keys, Clock clock)
    : redis_(redis), keys_(std::move(keys)), clock_(std::move(clock)) {}

v1::RuleRevision RuleStore::MakeRevision(v1::RuleRevision::Kind kind,
                                         const std::string& rule_id,
                                         const std::string& changed_by) const {
  v1::RuleRevision revision;
  revision.set_rule_id(rule_id);
  revision.set_kind(kind);
  revision.set_changed_by(changed_by);
  *revision.mutable_change_time() = ToProto(clock_());
  return revision;
}

absl::StatusOr<RuleStore::WriteOutcome> RuleStore::Write(
    absl::string_view mode, const std::string& rule_id,
    const std::string& expected, const v1::Rule* after,
    const v1::RuleRevision& revision) {
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_,
      {&RuleWriteScript(),
       {keys_.Rules(), keys_.RulesVersion(), keys_.RuleRevisions(rule_id)},
       {std::string(mode), rule_id, expected,
        after ? after->SerializeAsString() : "", revision.SerializeAsString()}});
  if (!reply.ok()) return reply.status();
  const std::string& status = reply->elements.at(0).str;
  if (status == "OK") return WriteOutcome::kOk;
  if (status == "EXISTS") return WriteOutcome::kExists;
  if (status == "NOT_FOUND") return WriteOutcome::kNotFound;
  return WriteOutcome::kConflict;
}

absl::StatusOr<v1::Rule> RuleStore::Create(v1::Rule rule,
                                           const std::string& changed_by) {
  *rule.mutable_update_time() = ToProto(clock_());
  v1::RuleRevision revision =
      MakeRevision(v1::RuleRevision::CREATED, rule.rule_id(), changed_by);
  *revision.mutable_after() = rule;
  absl::StatusOr<WriteOutcome> outcome =
      Write("create", rule.rule_id(), "", &rule, revision);
  if (!outcome.ok()) return outcome.status();
  if (*outcome == WriteOutcome::kExists) {
    return WithReason(absl::AlreadyExistsError(absl::StrCat(
                          "rule ", rule.rule_id(), " already exists")),
                      "RULE_EXISTS");
  }
  return rule;
}

absl::StatusOr<std::string> RuleStore::ReadSerialized(
    const std::string& rule_id) {
  absl::StatusOr<RedisValue> reply = redis_->Run({"HGET", keys_.Rules(), rule_id});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return NotFound(rule_id);
  return reply->str;
}

absl::StatusOr<v1::Rule> RuleStore::Get(const std::string& rule_id) {
  absl::StatusOr<std::string> bytes = ReadSerialized(rule_id);
  if (!bytes.ok()) return bytes.status();
  return ParseRule(*bytes);
}

absl::StatusOr<RuleChange> RuleStore::Update(
    const v1::Rule& patch, const google::protobuf::FieldMask& mask,
    const std::function<absl::Status(const v1::Rule&)>& validate,
    const std::string& changed_by) {
  // Read, merge, compare-and-set; a concurrent change makes us merge again.
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    absl::StatusOr<std::string> bytes = ReadSerialized(patch.rule_id());
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<v1::Rule> before = ParseRule(*bytes);
    if (!before.ok()) return before.status();

    v1::Rule after = *before;
    if (mask.paths().empty()) {
      after = patch;
    } else {
      FieldMaskUtil::MergeOptions options;
      options.set_replace_repeated_fields(true);
      options.set_replace_message_fields(true);
      FieldMaskUtil::MergeMessageTo(patch, mask, options, &after);
    }
    after.set_rule_id(before->rule_id());
    *after.mutable_update_time() = ToProto(clock_());
    if (auto s = validate(after); !s.ok()) return s;

    v1::RuleRevision revision =
        MakeRevision(v1::RuleRevision::UPDATED, patch.rule_id(), changed_by);
    *revision.mutable_before() = *before;
    *revision.mutable_after() = after;
    absl::StatusOr<WriteOutcome> outcome =
        Write("update", patch.rule_id(), *bytes, &after, revision);
    if (!outcome.ok()) return outcome.status();
    if (*outcome == WriteOutcome::kOk) {
      return RuleChange{*std::move(before), std::move(after)};
    }
    if (*outcome == WriteOutcome::kNotFound) return NotFound(patch.rule_id());
  }
  return absl::AbortedError(absl::StrCat(
      "rule ", patch.rule_id(), " kept changing concurrently; try again"));
}

absl::StatusOr<v1::Rule> RuleStore::Delete(const std::string& rule_id,
                                            const std::string& changed_by) {
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    absl::StatusOr<std::string> bytes = ReadSerialized(rule_id);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<v1::Rule> before = ParseRule(*bytes);
    if (!before.ok()) return before.status();
    v1::RuleRevision revision =
        MakeRevision(v1::RuleRevision::DELETED, rule_id, changed_by);
    *revision.mutable_before() = *before;
    absl::StatusOr<WriteOutcome> outcome =
        Write("delete", rule_id, *bytes, nullptr, revision);
    if (!outcome.ok()) return outcome.status();
    if (*outcome == WriteOutcome::kOk) return *std::move(before);
    if (*outcome == WriteOutcome::kNotFound) return NotFound(rule_id);
  }
  return absl::AbortedError(absl::StrCat(
      "rule ", rule_id, " kept changing concurrently; try again"));
}

absl::StatusOr<RevisionPage> RuleStore::Revisions(const std::string& rule_id,
                                                  int64_t before,
                                                  int64_t limit) {
  const std::string key = keys_.RuleRevisions(rule_id);
  // Newest first: revision n lives at list index n-1.
  absl::StatusOr<RedisValue> length = redis_->Run({"LLEN", key});
  if (!length.ok()) return length.status();
  RevisionPage page;
  page.total = length->integer;
  const int64_t newest =
      before == 0 ? page.total - 1 : std::min(before, page.total + 1) - 2;
  if (newest < 0) return page;
  const int64_t oldest = std::max<int64_t>(0, newest - limit + 1);
  absl::StatusOr<RedisValue> items = redis_->Run(
      {"LRANGE", key, absl::StrCat(oldest), absl::StrCat(newest)});
  if (!items.ok()) return items.status();
  for (int64_t i = static_cast<int64_t>(items->elements.size()) - 1; i >= 0;
       --i) {
    v1::RuleRevision revision;
    if (!revision.ParseFromString(items->elements[i].str)) {
      return absl::DataLossError("stored revision is not a RuleRevision");
    }
    revision.set_revision(oldest + i + 1);
    page.revisions.push_back(std::move(revision));
  }
  return page;
}

namespace {

absl::StatusOr<RuleSnapshot> ParseSnapshot(RedisReplies replies) {
  if (!replies.ok()) return replies.status();
  const RedisValue& reply = replies->front();
  RuleSnapshot snapshot;
  if (!absl::SimpleAtoi(reply.elements.at(0).str, &snapshot.version)) {
    return absl::DataLossError("rules version is not an integer");
  }
  const auto& fields = reply.elements.at(1).elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    absl::StatusOr<v1::Rule> rule = ParseRule(fields[i + 1].str);
    if (!rule.ok()) return rule.status();
    snapshot.rules.push_back(*std::move(rule));
  }
  std::sort(snapshot.rules.begin(), snapshot.rules.end(),
            [](const v1::Rule& a, const v1::Rule& b) {
              return a.rule_id() < b.rule_id();
            });
  return snapshot;
}

}  // namespace

ScriptCall RuleStore::SnapshotCall() const {
  return {&RulesSnapshotScript(), {keys_.Rules(), keys_.RulesVersion()}, {}};
}

absl::StatusOr<RuleSnapshot> RuleStore::Snapshot() {
  return ParseSnapshot(RunScripts(*redis_, {SnapshotCall()}));
}

void RuleStore::SnapshotAsync(
    std::function<void(absl::StatusOr<RuleSnapshot>)> done) {
  RunScriptsAsync(*redis_, {SnapshotCall()},
                  [done = std::move(done)](RedisReplies replies) {
                    done(ParseSnapshot(std::move(replies)));
                  });
}

}  // namespace plaudit
