// Request validation shared by every service: each check names the field it
// rejects and why, so callers get an actionable INVALID_ARGUMENT.
#ifndef PLAUDIT_SERVICES_COMMON_VALIDATION_H_
#define PLAUDIT_SERVICES_COMMON_VALIDATION_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace plaudit {

inline constexpr size_t kMaxIdBytes = 128;

// INVALID_ARGUMENT "<field>: <reason>", reason INVALID_FIELD with the field
// in its metadata.
absl::Status InvalidField(absl::string_view field, absl::string_view reason);

// An opaque external id (user, event, object, request): 1..max_bytes bytes,
// valid UTF-8 is not required but whitespace and control bytes are refused.
absl::Status ValidateId(absl::string_view field, absl::string_view value,
                        size_t max_bytes = kMaxIdBytes);
// Same, but an empty value is allowed.
absl::Status ValidateOptionalId(absl::string_view field,
                                absl::string_view value,
                                size_t max_bytes = kMaxIdBytes);
// A name that is embedded in keys before other parts: 1..64 of [A-Za-z0-9_-].
absl::Status ValidateSlug(absl::string_view field, absl::string_view value);
// An action name such as "post.created": 1..64 of [a-z0-9_.-].
absl::Status ValidateAction(absl::string_view field, absl::string_view value);
// A group such as "dept:sales": "<kind>:<name>", kind of [a-z0-9_-],
// name without whitespace or control bytes, at most 128 bytes in all.
absl::Status ValidateGroup(absl::string_view field, absl::string_view value);
// Free text (descriptions, reasons): at most max_bytes, no control bytes
// other than newline and tab.
absl::Status ValidateText(absl::string_view field, absl::string_view value,
                          size_t max_bytes);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_VALIDATION_H_
