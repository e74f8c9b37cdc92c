// Records events: matches rules in process, then lets the award script apply
// each event atomically in Redis (one round trip for a whole batch). A STALE
// answer means another replica changed the rules: reload and resend only the
// stale events.
#ifndef PLAUDIT_SERVICES_EVENTS_EVENT_RECORDER_H_
#define PLAUDIT_SERVICES_EVENTS_EVENT_RECORDER_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "plaudit/v1/event_service.pb.h"
#include "services/calendar/board_calendar.h"
#include "services/common/clock.h"
#include "services/rules/rule_cache.h"
#include "services/store/keys.h"
#include "services/store/lua_script.h"
#include "services/store/redis_client.h"

namespace plaudit {

// The award script call for validated events, applied in order by one
// script. Public so the benchmark's ceiling can run exactly what the
// service runs, without the service.
ScriptCall AwardCall(absl::Span<const v1::Event* const> events,
                     const RuleSnapshot& rules, const KeySchema& keys,
                     const BoardCalendar& calendar, absl::Time now);

class EventRecorder {
 public:
  EventRecorder(RedisClient* redis, RuleCache* rules, KeySchema keys,
                const CalendarSource* calendar, Clock clock);

  using Outcomes = absl::StatusOr<std::vector<v1::EventOutcome>>;
  using RecordDone = std::function<void(Outcomes)>;
  using RetractDone = std::function<void(absl::StatusOr<v1::RetractEventResponse>)>;

  // Events must be validated and outlive `done`; outcomes are in their
  // order. `done` runs on a Redis lane (see RedisDone), or at once when the
  // rules cannot be read.
  void Record(std::vector<const v1::Event*> events, RecordDone done);
  void Retract(const std::string& event_id, RetractDone done);

 private:
  struct Recording;
  struct Flight;
  // Sends a recording's pending events now, or with the next flight when
  // kMaxFlights are out.
  void Submit(std::shared_ptr<Recording> recording);
  void Fly(std::vector<std::shared_ptr<Recording>> group);
  // Hands each event its reply, answers the recordings, sends what waited.
  void Land(Flight& flight, RedisReplies replies);
  void Take(const std::vector<RedisValue>& values, size_t k,
            Recording& recording, size_t index);
  // Answers a recording, or sends its STALE events again with fresh rules.
  void Settle(std::shared_ptr<Recording> recording);

  RedisClient* redis_;
  RuleCache* rules_;
  const KeySchema keys_;
  const CalendarSource* calendar_;
  const Clock clock_;
  absl::Mutex mu_;
  int flights_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::shared_ptr<Recording>> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_EVENTS_EVENT_RECORDER_H_
