#include "services/common/period.h"

#include "services/common/validation.h"

namespace plaudit {

absl::StatusOr<absl::TimeZone> LoadTenantTimeZone(absl::string_view field,
                                                  absl::string_view name) {
  absl::TimeZone zone;
  if (name.empty() || !absl::LoadTimeZone(std::string(name), &zone)) {
    return InvalidField(field, "is not a known IANA time zone, e.g. "
                               "Europe/Berlin");
  }
  return zone;
}

std::string DayBucket(absl::Time t, absl::TimeZone zone) {
  return absl::FormatTime("%Y%m%d", t, zone);
}

}  // namespace plaudit
