#include "services/events/event_service.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"
#include "services/events/event_validation.h"

namespace plaudit {
namespace {

// Chunks of one stream recorded at once; then reading pauses, and HTTP/2
// flow control holds the client back.
constexpr int kStreamWindow = 8;

absl::Status ValidateBatchSize(int size) {
  if (size >= 1 && size <= kMaxEventsPerBatch) return absl::OkStatus();
  return InvalidField("events",
                      absl::StrCat("must hold 1 to ", kMaxEventsPerBatch,
                                   " events, got ", size));
}

}  // namespace

EventService::EventService(ForTenant<EventRecorder> recorders, CallGate gate,
                           Metrics* metrics, Clock clock)
    : RpcService(v1::EventService::service_full_name(), gate),
      recorders_(std::move(recorders)),
      metrics_(metrics),
      clock_(std::move(clock)) {
  Handle("RecordEvent", &EventService::RecordEvent);
  Handle("RecordEvents", &EventService::RecordEvents);
  Handle("RetractEvent", &EventService::RetractEvent);
  HandleStream("StreamEvents", [this](grpc::CallbackServerContext* context) {
    return StartStream(context);
  });
}

void EventService::RecordEvent(const Caller& caller,
                               const v1::RecordEventRequest& request,
                               v1::RecordEventResponse* response, Reply reply) {
  const v1::Event& event = request.event();
  if (auto s = ValidateEvent(event, "event", clock_()); !s.ok())
    return reply(s);
  recorders_(caller.tenant)
      .Record({&event}, [this, reply, &event,
                         response](EventRecorder::Outcomes outcomes) {
        if (!outcomes.ok()) return reply(outcomes.status());
        metrics_->EventRecorded(event.action(), outcomes->front());
        *response->mutable_outcome() = std::move(outcomes->front());
        reply(absl::OkStatus());
      });
}

void EventService::RecordEvents(const Caller& caller,
                                const v1::RecordEventsRequest& request,
                                v1::RecordEventsResponse* response,
                                Reply reply) {
  if (auto s = ValidateBatchSize(request.events_size()); !s.ok())
    return reply(s);
  const absl::Time now = clock_();
  std::vector<const v1::Event*> events;
  events.reserve(request.events_size());
  for (int i = 0; i < request.events_size(); ++i) {
    const v1::Event& event = request.events(i);
    if (auto s = ValidateEvent(event, absl::StrCat("events[", i, "]"), now);
        !s.ok()) {
      return reply(s);
    }
    events.push_back(&event);
  }
  recorders_(caller.tenant)
      .Record(std::move(events), [this, reply, &request,
                                  response](EventRecorder::Outcomes outcomes) {
        if (!outcomes.ok()) return reply(outcomes.status());
        response->mutable_outcomes()->Reserve(
            static_cast<int>(outcomes->size()));
        for (size_t i = 0; i < outcomes->size(); ++i) {
          metrics_->EventRecorded(request.events(static_cast<int>(i)).action(),
                                  (*outcomes)[i]);
          *response->add_outcomes() = std::move((*outcomes)[i]);
        }
        reply(absl::OkStatus());
      });
}

void EventService::RetractEvent(const Caller& caller,
                                const v1::RetractEventRequest& request,
                                v1::RetractEventResponse* response,
                                Reply reply) {
  if (auto s = ValidateId("event_id", request.event_id()); !s.ok())
    return reply(s);
  recorders_(caller.tenant)
      .Retract(request.event_id(),
               [this, reply,
                response](absl::StatusOr<v1::RetractEventResponse> retraction) {
                 if (!retraction.ok()) return reply(retraction.status());
                 if (!retraction->already_retracted())
                   metrics_->EventRetracted();
                 *response = *std::move(retraction);
                 reply(absl::OkStatus());
               });
}

// One StreamEvents call. Chunks are recorded concurrently (up to
// kStreamWindow chunks recorded or answered and not yet written) and
// answered in the order they came. Each chunk is admitted (key, role, rate)
// when read, then holds room in the in-flight budget from before it is
// parsed until its answer is written: its bytes, or what its answer will
// take if that is more. While a chunk waits for room the stream is not
// read, so flow control holds the client back. The reactor deletes itself
// once everything read has been answered and the call is finished.
class EventService::Stream final : public StreamReactor {
 public:
  Stream(EventService* service, grpc::CallbackServerContext* context)
      : service_(service), context_(context) {
    absl::StatusOr<Caller> caller =
        service_->AdmitCaller(*context_, "StreamEvents");
    if (!caller.ok()) {
      {
        absl::MutexLock lock(&mu_);
        reading_ = read_pending_ = false;
        finished_ = true;
      }
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    recorder_ = &service_->recorders_(caller->tenant);
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client is done sending (or gone)
      absl::ReleasableMutexLock lock(&mu_);
      read_pending_ = false;
      reading_ = false;
      return Proceed(lock);
    }
    auto chunk = std::make_shared<Chunk>();
    chunk->bytes.Swap(&incoming_);
    // Judged again per chunk: a key revoked mid-stream stops it, and the
    // rate limit counts chunks. Here, on gRPC's thread: a key lookup may wait.
    const absl::Status admitted =
        service_->AdmitCaller(*context_, "StreamEvents").status();
    {
      absl::ReleasableMutexLock lock(&mu_);
      read_pending_ = false;
      if (broken_ || !admitted.ok()) {  // the chunk is dropped
        if (!admitted.ok() && !broken_) final_status_ = ToGrpcStatus(admitted);
        reading_ = false;
        return Proceed(lock);
      }
      held_ = true;
    }
    RequestBudget* budget = service_->budget();
    if (budget == nullptr) return Parse(std::move(chunk));
    const auto size = static_cast<int64_t>(chunk->bytes.Length());
    auto granted = [this, chunk, budget, size] {
      chunk->charge = BudgetCharge(budget, size);
      Parse(chunk);
    };
    if (budget->TakeOrWait(size, granted)) return granted();
    Held();
  }

  void OnWriteDone(bool ok) override {
    absl::ReleasableMutexLock lock(&mu_);
    writing_.reset();  // its room in the budget goes back
    if (!ok) Break();
    Proceed(lock);
  }

  void OnCancel() override {
    absl::ReleasableMutexLock lock(&mu_);
    Break();
    Proceed(lock);
  }

  void OnDone() override { delete this; }

 private:
  // What one answer takes at least per event, for the room a chunk holds
  // before it is recorded: an answer may be far larger than its request
  // (a thousand empty events, a thousand error messages).
  static constexpr int64_t kAnswerBytesPerEvent = 64;

  struct Chunk {
    uint64_t sequence = 0;
    grpc::ByteBuffer bytes;  // as read; then the answer, as written
    BudgetCharge charge;
    std::unique_ptr<v1::StreamEventsRequest> request;
    v1::StreamEventsResponse response;
  };

  void Held() {
    if (service_->metrics() != nullptr) service_->metrics()->ChunkHeld();
  }

  // The chunk has room for its bytes. Runs on gRPC's thread or the
  // budget's; `this` lives on, since a held chunk keeps the call open.
  void Parse(std::shared_ptr<Chunk> chunk) {
    chunk->request = std::make_unique<v1::StreamEventsRequest>();
    absl::Status parsed = ParseRequest(chunk->bytes, chunk->request.get());
    chunk->bytes.Clear();
    if (parsed.ok() && chunk->request->events_size() > kMaxEventsPerBatch) {
      parsed = InvalidField(
          "events",
          absl::StrCat("a chunk holds at most ", kMaxEventsPerBatch,
                       " events, got ", chunk->request->events_size()));
    }
    const int64_t answer = kAnswerBytesPerEvent * chunk->request->events_size();
    const int64_t more = answer - chunk->charge.bytes();
    RequestBudget* budget = service_->budget();
    if (parsed.ok() && budget != nullptr && more > 0) {  // room for the answer
      auto granted = [this, chunk, more] {
        chunk->charge.Absorb(more);
        Accept(chunk, absl::OkStatus());
      };
      if (!budget->TakeOrWait(more, granted)) return Held();
      chunk->charge.Absorb(more);
    }
    Accept(std::move(chunk), parsed);
  }

  // The chunk, parsed (or refused), goes on. The last touch of `this`
  // here is Record (or Proceed): once the chunk counts as recording, its
  // answer keeps the call open, and otherwise Proceed may finish it.
  void Accept(std::shared_ptr<Chunk> chunk, const absl::Status& parsed) {
    {
      absl::ReleasableMutexLock lock(&mu_);
      held_ = false;
      if (broken_) return Proceed(lock);  // the chunk (and its room) goes
      if (!parsed.ok()) {  // answered in order, then the call ends with it
        final_status_ = ToGrpcStatus(parsed);
        reading_ = false;
        return Proceed(lock);
      }
      chunk->sequence = accepted_++;
      ++recording_;
      Proceed(lock);  // may read the next chunk meanwhile
    }
    Record(std::move(chunk));
  }

  // Valid events are recorded; invalid ones are answered with their error.
  void Record(std::shared_ptr<Chunk> chunk) {
    const auto& events = chunk->request->events();
    auto* results = chunk->response.mutable_results();
    const absl::Time now = service_->clock_();
    std::vector<const v1::Event*> valid;
    std::vector<v1::EventResult*> slots;
    for (int i = 0; i < events.size(); ++i) {
      v1::EventResult* result = results->Add();
      absl::Status s =
          ValidateEvent(events[i], absl::StrCat("events[", i, "]"), now);
      if (!s.ok()) {
        SetError(events[i].event_id(), s, result);
        continue;
      }
      valid.push_back(&events[i]);
      slots.push_back(result);
    }
    if (valid.empty()) return Answered(std::move(chunk));
    std::vector<const v1::Event*> sent = valid;
    recorder_->Record(
        std::move(sent),
        [this, chunk = std::move(chunk), valid = std::move(valid),
         slots = std::move(slots)](EventRecorder::Outcomes outcomes) mutable {
          for (size_t i = 0; i < valid.size(); ++i) {
            if (!outcomes.ok()) {
              SetError(valid[i]->event_id(), outcomes.status(), slots[i]);
              continue;
            }
            service_->metrics_->EventRecorded(valid[i]->action(),
                                              (*outcomes)[i]);
            *slots[i]->mutable_outcome() = std::move((*outcomes)[i]);
          }
          Answered(std::move(chunk));
        });
  }

  static void SetError(const std::string& event_id, const absl::Status& status,
                       v1::EventResult* result) {
    v1::EventError* e = result->mutable_error();
    e->set_event_id(event_id);
    e->set_code(static_cast<int>(status.code()));
    e->set_message(CappedMessage(status));
    e->set_reason(ErrorReason(status));
  }

  // Recorded: only the answer's bytes are kept until written, and they
  // hold exactly their size in the budget.
  void Answered(std::shared_ptr<Chunk> chunk) {
    SerializeResponse(chunk->response, &chunk->bytes);
    chunk->response = v1::StreamEventsResponse();
    chunk->request.reset();
    chunk->charge.Resize(static_cast<int64_t>(chunk->bytes.Length()));
    absl::ReleasableMutexLock lock(&mu_);
    --recording_;
    if (!broken_) answered_.emplace(chunk->sequence, std::move(chunk));
    Proceed(lock);
  }

  // The client is gone: no more reads are started nor answers written.
  void Break() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    broken_ = true;
    answered_.clear();
    if (!read_pending_) reading_ = false;  // else its OnReadDone will
  }

  // Decides under the lock what to start next — the next answer in order,
  // another read if the window has room, or the end — then starts it
  // unlocked. Finish is always the last touch of `this`: OnDone may delete
  // it at once on another thread.
  void Proceed(absl::ReleasableMutexLock& lock)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const grpc::ByteBuffer* write = nullptr;
    if (!broken_ && writing_ == nullptr) {
      auto next = answered_.find(written_);
      if (next != answered_.end()) {
        writing_ = std::move(next->second);
        answered_.erase(next);
        ++written_;
        write = &writing_->bytes;
      }
    }
    const int open = recording_ + static_cast<int>(answered_.size()) +
                     (writing_ != nullptr ? 1 : 0);
    const bool read = reading_ && !read_pending_ && !held_ && !broken_ &&
                      open < kStreamWindow;
    if (read) read_pending_ = true;
    const bool finish = !finished_ && !reading_ && !read_pending_ && !held_ &&
                        recording_ == 0 && writing_ == nullptr &&
                        answered_.empty();
    if (finish) finished_ = true;
    const grpc::Status status = final_status_;
    lock.Release();
    if (write != nullptr) StartWrite(write);
    if (read) StartRead(&incoming_);
    if (finish) Finish(status);
  }

  EventService* const service_;
  grpc::CallbackServerContext* const context_;
  EventRecorder* recorder_ = nullptr;
  grpc::ByteBuffer incoming_;  // the read in progress

  absl::Mutex mu_;
  bool reading_ ABSL_GUARDED_BY(mu_) = true;
  bool read_pending_ ABSL_GUARDED_BY(mu_) = true;
  bool held_ ABSL_GUARDED_BY(mu_) = false;  // a chunk read, not yet accepted
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int recording_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, std::shared_ptr<Chunk>> answered_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Chunk> writing_ ABSL_GUARDED_BY(mu_);
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
};

StreamReactor* EventService::StartStream(grpc::CallbackServerContext* context) {
  return new Stream(this, context);
}

}  // namespace plaudit
