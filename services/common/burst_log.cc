#include "services/common/burst_log.h"

#include "absl/strings/str_cat.h"

namespace plaudit {

std::optional<std::string> BurstLog::Note(absl::string_view key,
                                          absl::string_view line,
                                          absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (bursts_.size() >= max_keys_ && !bursts_.contains(key)) bursts_.clear();
  auto [it, fresh] = bursts_.try_emplace(key, Burst{now, 0});
  Burst& burst = it->second;
  if (fresh) return std::string(line);
  if (now - burst.logged < period_) {
    ++burst.held_back;
    return std::nullopt;
  }
  std::string out(line);
  if (burst.held_back > 0) {
    absl::StrAppend(
        &out, " (and ", burst.held_back, " more like it since ",
        absl::FormatTime("%H:%M:%S", burst.logged, absl::UTCTimeZone()),
        " UTC)");
  }
  burst = {now, 0};
  return out;
}

size_t BurstLog::size() {
  absl::MutexLock lock(&mu_);
  return bursts_.size();
}

}  // namespace plaudit
