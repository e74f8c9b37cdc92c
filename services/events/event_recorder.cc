#include "services/events/event_recorder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/error_reason.h"
#include "services/common/period.h"
#include "services/events/event_validation.h"
#include "services/rules/award_plan.h"
#include "services/store/bucket_args.h"
#include "services/store/scripts.h"

namespace plaudit {
namespace {

constexpr int kMaxStaleRetries = 5;

// Events applied by one award script: their board and counter writes are
// merged (fewer Redis commands), while one script stays short enough not
// to hold Redis up for others.
constexpr size_t kEventsPerScript = 100;

// Award pipelines in flight per tenant; events arriving meanwhile wait and
// then go together, merged into as few scripts as possible (group commit).
// An idle service sends at once; a busy one sends fewer, larger scripts.
constexpr int kMaxFlights = 4;
// At most this many events take off in one flight (whole recordings, at
// least one): those waiting beyond stay parsed events only, since a
// flight's script arguments take several times the events' size.
constexpr size_t kMaxEventsPerFlight = 1000;

// Daily-limit counts are kept this long after their day ends: later events
// of that day can no longer be limited, so limited rules refuse them.
constexpr absl::Duration kDailyCountWindow = absl::Hours(7 * 24);

// What makes two sends of one event_id the same event. occurred_at counts
// only when given (a retry without it resolves to another "now").
std::string Fingerprint(const v1::Event& event) {
  std::vector<std::string> tags(event.tags().begin(), event.tags().end());
  std::sort(tags.begin(), tags.end());
  std::string fingerprint = absl::StrCat(
      event.action(), "\n", event.actor_id(), "\n", event.subject_id(), "\n",
      event.object_id(), "\n", absl::StrJoin(tags, " "));
  if (event.has_occurred_at()) {
    absl::StrAppend(&fingerprint, "\n", event.occurred_at().seconds(), ".",
                    event.occurred_at().nanos());
  }
  return fingerprint;
}

template <typename Message>
absl::StatusOr<Message> ParseScriptJson(const std::string& json) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(json, &message, options)
           .ok()) {
    return absl::InternalError(absl::StrCat("unreadable script reply: ", json));
  }
  return message;
}

}  // namespace

EventRecorder::EventRecorder(RedisClient* redis, RuleCache* rules,
                             KeySchema keys, const CalendarSource* calendar,
                             Clock clock)
    : redis_(redis),
      rules_(rules),
      keys_(std::move(keys)),
      calendar_(calendar),
      clock_(std::move(clock)) {}

namespace {

// Appends one event's arguments of the award script (see award.lua).
void AppendEventArgs(const v1::Event& event, const RuleSnapshot& rules,
                     const BoardCalendar& calendar, absl::Time now,
                     std::vector<std::string>* args) {
  const absl::Time occurred_at = ResolveOccurredAt(event, now);
  const PeriodBucket day = BucketAt(Period::kDay, occurred_at, calendar.zone());
  const absl::Duration counts_kept_for =
      BucketEnd(day, calendar.zone()) + kDailyCountWindow - now;
  const AwardPlan plan = PlanAwards(rules.rules, event, occurred_at,
                                    counts_kept_for > absl::ZeroDuration());
  args->insert(args->end(),
               {event.event_id(), day.id,
                absl::StrCat(absl::ToInt64Milliseconds(counts_kept_for)),
                event.action(), event.actor_id(), event.object_id(),
                Fingerprint(event), event.subject_id()});
  AppendBucketArgs(calendar.BucketsAt(occurred_at, now), args);
  args->push_back(absl::StrCat(plan.candidates.size()));
  for (const AwardCandidate& c : plan.candidates) {
    args->insert(args->end(), {c.rule_id, c.user_id, absl::StrCat(c.points),
                               absl::StrCat(c.daily_limit),
                               c.once_per_object ? "1" : "0", c.group,
                               absl::StrCat(c.min_interval_ms),
                               absl::StrCat(c.max_reciprocal_per_day)});
  }
  args->push_back(absl::StrCat(plan.refusals.size()));
  for (const v1::Refusal& r : plan.refusals) {
    args->insert(args->end(), {r.rule_id(), r.user_id(),
                               v1::Refusal::Reason_Name(r.reason())});
  }
}

}  // namespace

ScriptCall AwardCall(absl::Span<const v1::Event* const> events,
                     const RuleSnapshot& rules, const KeySchema& keys,
                     const BoardCalendar& calendar, absl::Time now) {
  ScriptCall call{&AwardScript(), {keys.RulesVersion()}, {}};
  call.keys.reserve(1 + events.size());
  call.args.reserve(4 + 40 * events.size());
  call.args = {keys.prefix(), absl::StrCat(rules.version),
               absl::StrCat(absl::ToUnixMillis(now)),
               absl::StrCat(events.size())};
  for (const v1::Event* event : events) {
    call.keys.push_back(keys.Event(event->event_id()));
    AppendEventArgs(*event, rules, calendar, now, &call.args);
  }
  return call;
}

struct EventRecorder::Recording {
  std::vector<const v1::Event*> events;
  RecordDone done;
  std::vector<v1::EventOutcome> outcomes;
  std::vector<size_t> pending;  // indexes into events still to send
  std::vector<size_t> stale;    // answered STALE in the last flight
  absl::Status failure;
  int attempt = 0;
};

// One pipeline of award scripts in flight: where each event came from.
struct EventRecorder::Flight {
  std::vector<std::shared_ptr<Recording>> group;
  std::vector<std::pair<Recording*, size_t>> slots;  // in the order sent
};

void EventRecorder::Record(std::vector<const v1::Event*> events,
                           RecordDone done) {
  // Loads the rules on first use (here, where waiting is allowed).
  absl::StatusOr<std::shared_ptr<const RuleSnapshot>> rules = rules_->Current();
  if (!rules.ok()) return done(rules.status());
  auto recording = std::make_shared<Recording>();
  recording->events = std::move(events);
  recording->done = std::move(done);
  const size_t n = recording->events.size();
  recording->outcomes.resize(n);
  recording->pending.resize(n);
  for (size_t i = 0; i < n; ++i) recording->pending[i] = i;
  Submit(std::move(recording));
}

void EventRecorder::Submit(std::shared_ptr<Recording> recording) {
  {
    absl::MutexLock lock(&mu_);
    if (flights_ >= kMaxFlights) {
      waiting_.push_back(std::move(recording));
      return;
    }
    ++flights_;
  }
  Fly({std::move(recording)});
}

void EventRecorder::Fly(std::vector<std::shared_ptr<Recording>> group) {
  auto flight = std::make_shared<Flight>();
  flight->group = std::move(group);
  absl::StatusOr<std::shared_ptr<const RuleSnapshot>> rules = rules_->Current();
  if (!rules.ok()) return Land(*flight, rules.status());
  std::vector<const v1::Event*> events;
  for (const auto& recording : flight->group) {
    for (size_t i : recording->pending) {
      flight->slots.emplace_back(recording.get(), i);
      events.push_back(recording->events[i]);
    }
  }
  const absl::Time now = clock_();
  std::vector<ScriptCall> calls;
  for (size_t first = 0; first < events.size(); first += kEventsPerScript) {
    const size_t n = std::min(kEventsPerScript, events.size() - first);
    calls.push_back(AwardCall(absl::MakeConstSpan(events).subspan(first, n),
                              **rules, keys_, *calendar_->Calendar(), now));
  }
  RunScriptsAsync(*redis_, std::move(calls),
                  [this, flight](RedisReplies replies) {
                    Land(*flight, std::move(replies));
                  });
}

void EventRecorder::Land(Flight& flight, RedisReplies replies) {
  if (!replies.ok()) {
    for (const auto& recording : flight.group) recording->failure = replies.status();
  } else {
    for (size_t s = 0; s < flight.slots.size(); ++s) {
      const auto& values = (*replies)[s / kEventsPerScript].elements;
      Take(values, s % kEventsPerScript, *flight.slots[s].first,
           flight.slots[s].second);
    }
  }
  for (auto& recording : flight.group) Settle(std::move(recording));
  // Events that queued meanwhile take off together, up to a flight's worth.
  std::vector<std::shared_ptr<Recording>> next;
  {
    absl::MutexLock lock(&mu_);
    if (waiting_.empty()) {
      --flights_;
      return;
    }
    size_t events = 0;
    while (!waiting_.empty() &&
           (next.empty() ||
            events + waiting_.front()->pending.size() <= kMaxEventsPerFlight)) {
      events += waiting_.front()->pending.size();
      next.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
  }
  Fly(std::move(next));
}

void EventRecorder::Take(const std::vector<RedisValue>& values, size_t k,
                         Recording& recording, size_t index) {
  const std::string& status = values.at(2 * k).str;
  const std::string& detail = values.at(2 * k + 1).str;
  const std::string& event_id = recording.events[index]->event_id();
  if (status == "STALE") {  // nothing was done for it
    recording.stale.push_back(index);
    return;
  }
  if (status == "MISMATCH") {
    recording.failure = WithReason(
        absl::AlreadyExistsError(absl::StrCat(
            "event_id ", event_id, " was already recorded with different content")),
        "ID_REUSED", {{"field", "event_id"}});
    return;
  }
  if (status == "ERROR") {
    recording.failure = absl::InternalError(
        absl::StrCat("recording event ", event_id, " failed: ", detail));
    return;
  }
  absl::StatusOr<v1::EventOutcome> outcome =
      ParseScriptJson<v1::EventOutcome>(detail);
  if (!outcome.ok()) {
    recording.failure = outcome.status();
    return;
  }
  outcome->set_duplicate(status == "DUP");
  recording.outcomes[index] = *std::move(outcome);
}

void EventRecorder::Settle(std::shared_ptr<Recording> recording) {
  Recording& r = *recording;
  if (!r.failure.ok()) return r.done(r.failure);
  if (r.stale.empty()) return r.done(std::move(r.outcomes));
  // Rules changing under every attempt means a storm of edits; give up
  // rather than spin, the client may retry.
  if (++r.attempt > kMaxStaleRetries) {
    return r.done(
        absl::AbortedError("rules changed during every attempt; try again"));
  }
  std::sort(r.stale.begin(), r.stale.end());
  r.pending = std::move(r.stale);
  r.stale.clear();
  rules_->ReloadAsync(
      [this, recording = std::move(recording)](
          absl::StatusOr<std::shared_ptr<const RuleSnapshot>> rules) mutable {
        if (!rules.ok()) return recording->done(rules.status());
        Submit(std::move(recording));
      });
}

void EventRecorder::Retract(const std::string& event_id, RetractDone done) {
  RunScriptsAsync(
      *redis_,
      {{&RetractScript(),
        {keys_.Event(event_id)},
        {keys_.prefix(), event_id, absl::StrCat(absl::ToUnixMillis(clock_()))}}},
      [event_id, done = std::move(done)](RedisReplies replies) {
        if (!replies.ok()) return done(replies.status());
        const RedisValue& reply = replies->front();
        const std::string& status = reply.elements.at(0).str;
        if (status == "NOT_FOUND") {
          return done(WithReason(absl::NotFoundError(absl::StrCat(
                                     "event ", event_id, " was never recorded")),
                                 "EVENT_NOT_FOUND"));
        }
        absl::StatusOr<v1::RetractEventResponse> response =
            ParseScriptJson<v1::RetractEventResponse>(reply.elements.at(1).str);
        if (response.ok()) response->set_already_retracted(status == "ALREADY");
        done(std::move(response));
      });
}

}  // namespace plaudit
