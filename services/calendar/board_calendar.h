// Which leaderboard buckets a movement of points counts in, and until when
// each stays readable. Retention is enforced by key TTLs that the scripts
// set on every write (never by a sweep over keys).
#ifndef PLAUDIT_SERVICES_CALENDAR_BOARD_CALENDAR_H_
#define PLAUDIT_SERVICES_CALENDAR_BOARD_CALENDAR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "services/common/period.h"
#include "services/store/bucket_args.h"

namespace plaudit {

class BoardCalendar {
 public:
  // `kept`: the periods whose boards and counters are written and read
  // (empty: all).
  BoardCalendar(absl::TimeZone zone, Retention retention,
                std::vector<Period> kept = {},
                std::vector<std::string> kept_scopes = {});

  absl::TimeZone zone() const { return zone_; }
  bool Keeps(Period period) const { return kept_[static_cast<int>(period)]; }
  // FAILED_PRECONDITION SCOPE_NOT_KEPT unless the tenant keeps boards of
  // `scope` (as scopes_of in lua/boards_lib.lua decides).
  absl::Status CheckScopeKept(const std::string& scope) const;
  const Retention& retention() const { return retention_; }

  // The bucket of every kept period that `t` falls in (all time, year,
  // month, week, day), left out where already beyond retention at `now`.
  std::vector<BoardBucket> BucketsAt(absl::Time t, absl::Time now) const;
  // Every bucket that may hold scores at `now`, of every period: those
  // still readable, and those of events dated up to `ahead` later.
  std::vector<BoardBucket> RetainedBuckets(
      absl::Time now, absl::Duration ahead = absl::ZeroDuration()) const;
  // FAILED_PRECONDITION for a period not kept, INVALID_ARGUMENT for a
  // future bucket, NOT_FOUND beyond retention.
  absl::Status CheckReadable(const PeriodBucket& bucket, absl::Time now) const;

 private:
  BoardBucket Make(const PeriodBucket& bucket) const;

  absl::TimeZone zone_;
  Retention retention_;
  bool kept_[5];                          // by Period
  std::vector<std::string> kept_scopes_;  // empty: all
};

// The calendar a tenant counts by now: its settings may change while the
// process runs, so callers ask for it per operation.
class CalendarSource {
 public:
  virtual ~CalendarSource() = default;
  virtual std::shared_ptr<const BoardCalendar> Calendar() const = 0;
};

// A calendar that never changes (tools, tests).
class FixedCalendar final : public CalendarSource {
 public:
  explicit FixedCalendar(BoardCalendar calendar)
      : calendar_(std::make_shared<const BoardCalendar>(std::move(calendar))) {}
  std::shared_ptr<const BoardCalendar> Calendar() const override {
    return calendar_;
  }

 private:
  std::shared_ptr<const BoardCalendar> calendar_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_CALENDAR_BOARD_CALENDAR_H_
