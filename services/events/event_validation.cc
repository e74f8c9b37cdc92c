#include "services/events/event_validation.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

// Events before this are certainly mistakes (a zero or seconds-vs-ms field).
const absl::Time kEarliestEvent = absl::FromUnixSeconds(946684800);  // 2000

}  // namespace

absl::Time ResolveOccurredAt(const v1::Event& event, absl::Time now) {
  if (!event.has_occurred_at()) return now;
  return absl::FromUnixSeconds(event.occurred_at().seconds()) +
         absl::Nanoseconds(event.occurred_at().nanos());
}

absl::Status ValidateEvent(const v1::Event& event, absl::string_view prefix,
                           absl::Time now) {
  auto field = [&](absl::string_view name) {
    return absl::StrCat(prefix, ".", name);
  };
  if (auto s = ValidateId(field("event_id"), event.event_id()); !s.ok()) return s;
  if (auto s = ValidateAction(field("action"), event.action()); !s.ok()) return s;
  if (auto s = ValidateId(field("actor_id"), event.actor_id()); !s.ok()) return s;
  if (auto s = ValidateOptionalId(field("subject_id"), event.subject_id());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateOptionalId(field("object_id"), event.object_id());
      !s.ok()) {
    return s;
  }
  if (event.tags_size() > kMaxTagsPerEvent) {
    return InvalidField(field("tags"),
                        absl::StrCat("at most ", kMaxTagsPerEvent, " tags"));
  }
  for (int i = 0; i < event.tags_size(); ++i) {
    if (auto s = ValidateId(field(absl::StrCat("tags[", i, "]")), event.tags(i), 64);
        !s.ok()) {
      return s;
    }
  }
  if (event.attributes_size() > kMaxAttributesPerEvent) {
    return InvalidField(field("attributes"), absl::StrCat(
        "at most ", kMaxAttributesPerEvent, " attributes"));
  }
  for (const auto& [key, value] : event.attributes()) {
    const std::string name = field(absl::StrCat("attributes[", key, "]"));
    if (auto s = ValidateId(name, key, 64); !s.ok()) return s;
    if (auto s = ValidateText(name, value, 1024); !s.ok()) return s;
  }
  if (event.has_occurred_at()) {
    const auto& ts = event.occurred_at();
    if (ts.nanos() < 0 || ts.nanos() >= 1'000'000'000) {
      return InvalidField(field("occurred_at"), "nanos out of range");
    }
    const absl::Time at = ResolveOccurredAt(event, now);
    if (at < kEarliestEvent) {
      return InvalidField(field("occurred_at"), "is before the year 2000");
    }
    if (at > now + kMaxClockSkew) {
      return InvalidField(field("occurred_at"),
                          "is more than a day in the future");
    }
  }
  return absl::OkStatus();
}

}  // namespace plaudit
