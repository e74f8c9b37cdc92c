// Validation of intranet events before anything is written.
#ifndef PLAUDIT_SERVICES_EVENTS_EVENT_VALIDATION_H_
#define PLAUDIT_SERVICES_EVENTS_EVENT_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "plaudit/v1/event_service.pb.h"

namespace plaudit {

inline constexpr int kMaxEventsPerBatch = 1000;
inline constexpr int kMaxTagsPerEvent = 32;
inline constexpr int kMaxAttributesPerEvent = 32;
// Portals' clocks drift; anything further ahead is a bug on their side.
inline constexpr absl::Duration kMaxClockSkew = absl::Hours(24);

// `field` prefixes every message, e.g. "events[3]".
absl::Status ValidateEvent(const v1::Event& event, absl::string_view field,
                           absl::Time now);

// The event's time: occurred_at, or `now` when unset.
absl::Time ResolveOccurredAt(const v1::Event& event, absl::Time now);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_EVENTS_EVENT_VALIDATION_H_
