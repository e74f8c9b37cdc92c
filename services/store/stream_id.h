// Redis stream ids ("1700000000000-3": milliseconds, then a sequence), as
// ledger entries and notifications are named.
#ifndef PLAUDIT_SERVICES_STORE_STREAM_ID_H_
#define PLAUDIT_SERVICES_STORE_STREAM_ID_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace plaudit {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  // "<ms>-<seq>"; nullopt for anything else (also "<ms>" alone).
  static std::optional<StreamId> Parse(absl::string_view text);
  std::string ToString() const;

  friend bool operator<(const StreamId& a, const StreamId& b) {
    return a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq;
  }
  friend bool operator==(const StreamId& a, const StreamId& b) {
    return a.ms == b.ms && a.seq == b.seq;
  }
  friend bool operator<=(const StreamId& a, const StreamId& b) {
    return !(b < a);
  }
};

inline bool IsStreamId(absl::string_view id) {
  return StreamId::Parse(id).has_value();
}

// Whether stream id `a` comes before `b` (text order for what is not an id).
inline bool StreamIdLess(absl::string_view a, absl::string_view b) {
  const std::optional<StreamId> x = StreamId::Parse(a), y = StreamId::Parse(b);
  if (x.has_value() && y.has_value()) return *x < *y;
  return a < b;
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_STREAM_ID_H_
