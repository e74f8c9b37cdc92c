#include "services/audit/audit_log.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/store/keys.h"

namespace plaudit {
namespace {

std::string TrailOf(const std::string& tenant) {
  return KeySchema(tenant).Audit();
}

std::string Json(const google::protobuf::Message* message) {
  if (message == nullptr) return "";
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  google::protobuf::util::MessageToJsonString(*message, &json, options);
  return json;
}

// Stream ids start with their time in ms: time bounds are id bounds.
std::string IdAt(absl::Time t) {
  return absl::StrCat(std::max<int64_t>(0, absl::ToUnixMillis(t)));
}

v1::AuditEvent FromEntry(const RedisValue& item) {
  v1::AuditEvent event;
  event.set_audit_id(item.elements.at(0).str);
  const auto& fields = item.elements.at(1).elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    if (name == "kind") event.set_kind(value);
    if (name == "key") event.set_key_id(value);
    if (name == "target") event.set_target(value);
    if (name == "before") event.set_before_json(value);
    if (name == "after") event.set_after_json(value);
    if (name == "actor") event.set_actor(value);
    if (name == "as_manager") event.set_as_manager(value == "1");
    if (name == "at") {
      *event.mutable_time() =
          google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
              ParseInteger(value));
    }
  }
  return event;
}

}  // namespace

void AuditLog::Record(const Caller& caller, const std::string& kind,
                      const std::string& target,
                      const google::protobuf::Message* before,
                      const google::protobuf::Message* after) {
  absl::StatusOr<RedisValue> added = redis_->Run(
      {"XADD", TrailOf(caller.tenant), "*", "kind", kind, "key", caller.key_id,
       "target", target, "at", absl::StrCat(absl::ToUnixMillis(clock_())),
       "before", Json(before), "after", Json(after), "actor", caller.actor,
       "as_manager", caller.as_manager ? "1" : "0"});
  if (!added.ok()) {
    LOG(ERROR) << "audit trail of " << caller.tenant << " missed " << kind
               << " of " << target << " by key " << caller.key_id << ": "
               << added.status();
  }
}

absl::StatusOr<AuditPage> AuditLog::List(const std::string& tenant,
                                         const std::string& kind,
                                         absl::Time start, absl::Time end,
                                         const std::string& before_id,
                                         int limit) {
  AuditPage page;
  std::string upper =
      before_id.empty()
          ? (end == absl::InfiniteFuture() ? "+" : absl::StrCat("(", IdAt(end)))
          : absl::StrCat("(", before_id);
  const std::string lower = start == absl::InfinitePast() ? "-" : IdAt(start);
  // Filtering by kind may need more than one batch to fill a page.
  for (int round = 0; round < 50; ++round) {
    absl::StatusOr<RedisValue> items =
        redis_->Run({"XREVRANGE", TrailOf(tenant), upper, lower, "COUNT",
                     absl::StrCat(limit + 1)});
    if (!items.ok()) return items.status();
    for (const RedisValue& item : items->elements) {
      v1::AuditEvent event = FromEntry(item);
      if (!kind.empty() && event.kind() != kind) continue;
      if (static_cast<int>(page.events.size()) == limit) {
        page.last_id = page.events.back().audit_id();
        return page;
      }
      page.events.push_back(std::move(event));
    }
    if (static_cast<int>(items->elements.size()) <= limit) return page;
    upper = absl::StrCat("(", items->elements.back().elements.at(0).str);
  }
  if (!page.events.empty()) page.last_id = page.events.back().audit_id();
  return page;
}

}  // namespace plaudit
