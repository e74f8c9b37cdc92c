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
// kStreamWindow) and answered in the order they came; each chunk's bytes
// are taken from the in-flight budget before it is parsed, and while a
// chunk waits for room the stream is not read (flow control holds the
// client). The reactor deletes itself once everything read has been
// answered and the call is finished.
class EventService::Stream final : public StreamReactor {
 public:
  Stream(EventService* service, grpc::CallbackServerContext* context)
      : service_(service), context_(context) {
    absl::StatusOr<Caller> caller =
        service_->AdmitCaller(*context_, "StreamEvents");
    if (!caller.ok()) {
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
    {
      absl::MutexLock lock(&mu_);
      read_pending_ = false;
      if (broken_) reading_ = false;  // cancelled while this read was out
      held_ = true;
    }
    RequestBudget* budget = service_->budget();
    const auto size = static_cast<int64_t>(chunk->bytes.Length());
    if (budget == nullptr) return Take(std::move(chunk));
    // While it waits, the chunk is held outside the budget (one per stream
    // at most) and nothing more is read from this stream.
    auto granted = [this, chunk, budget, size] {
      chunk->charge = BudgetCharge(budget, size);
      Take(chunk);
    };
    if (budget->TakeOrWait(size, granted)) return granted();
    if (service_->metrics() != nullptr) service_->metrics()->ChunkHeld();
  }

  void OnWriteDone(bool ok) override {
    absl::ReleasableMutexLock lock(&mu_);
    writing_.reset();
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
  struct Chunk {
    uint64_t sequence = 0;
    grpc::ByteBuffer bytes;  // as read; then the answer, as written
    BudgetCharge charge;
    std::unique_ptr<v1::StreamEventsRequest> request;
    v1::StreamEventsResponse response;
  };

  // The chunk has its room in the budget (or there is no budget).
  void Take(std::shared_ptr<Chunk> chunk) {
    chunk->request = std::make_unique<v1::StreamEventsRequest>();
    absl::Status refused = Admit(chunk->bytes, chunk->request.get());
    chunk->bytes.Clear();
    {
      absl::ReleasableMutexLock lock(&mu_);
      held_ = false;
      if (broken_) return Proceed(lock);  // the chunk (and its charge) goes
      if (!refused.ok()) {  // answered in order, then the call ends with it
        final_status_ = ToGrpcStatus(refused);
        reading_ = false;
        return Proceed(lock);
      }
      chunk->sequence = accepted_++;
      ++recording_;
    }
    Record(std::move(chunk));
    absl::ReleasableMutexLock lock(&mu_);
    Proceed(lock);
  }

  // Each chunk is judged again: a key revoked mid-stream stops it, and the
  // rate limit counts chunks.
  absl::Status Admit(const grpc::ByteBuffer& bytes,
                     v1::StreamEventsRequest* request) {
    absl::StatusOr<Caller> caller =
        service_->AdmitCaller(*context_, "StreamEvents");
    if (!caller.ok()) return caller.status();
    if (auto s = ParseRequest(bytes, request); !s.ok()) return s;
    if (request->events_size() > kMaxEventsPerBatch) {
      return InvalidField(
          "events", absl::StrCat("a chunk holds at most ", kMaxEventsPerBatch,
                                 " events, got ", request->events_size()));
    }
    return absl::OkStatus();
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
    const grpc::Status error = ToGrpcStatus(status);
    v1::EventError* e = result->mutable_error();
    e->set_event_id(event_id);
    e->set_code(static_cast<int>(error.error_code()));
    e->set_message(error.error_message());
    e->set_reason(ErrorReason(status));
  }

  // Recorded: only the answer's bytes are kept until written.
  void Answered(std::shared_ptr<Chunk> chunk) {
    SerializeResponse(chunk->response, &chunk->bytes);
    chunk->response = v1::StreamEventsResponse();
    chunk->request.reset();
    chunk->charge.Reset();
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
    const bool read =
        reading_ && !read_pending_ && !held_ && !broken_ &&
        recording_ + static_cast<int>(answered_.size()) < kStreamWindow;
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
  bool held_ ABSL_GUARDED_BY(mu_) = false;  // a chunk read waits for the budget
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
