#include "services/events/event_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"
#include "services/events/event_validation.h"

namespace plaudit {

grpc::Status EventService::RecordEvent(grpc::ServerContext* context,
                                       const v1::RecordEventRequest* request,
                                       v1::RecordEventResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "EventService/RecordEvent");
  if (auto s = ValidateEvent(request->event(), "event", clock_()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<std::vector<v1::EventOutcome>> outcomes =
      recorders_(caller.tenant).Record({&request->event()});
  if (!outcomes.ok()) return ToGrpcStatus(outcomes.status());
  metrics_->EventRecorded(request->event().action(), outcomes->front());
  *response->mutable_outcome() = std::move(outcomes->front());
  return grpc::Status::OK;
}

grpc::Status EventService::RecordEvents(grpc::ServerContext* context,
                                        const v1::RecordEventsRequest* request,
                                        v1::RecordEventsResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "EventService/RecordEvents");
  if (request->events_size() == 0 ||
      request->events_size() > kMaxEventsPerBatch) {
    return ToGrpcStatus(InvalidField(
        "events", absl::StrCat("must hold 1 to ", kMaxEventsPerBatch,
                               " events, got ", request->events_size())));
  }
  const absl::Time now = clock_();
  std::vector<const v1::Event*> events;
  events.reserve(request->events_size());
  for (int i = 0; i < request->events_size(); ++i) {
    const v1::Event& event = request->events(i);
    if (auto s = ValidateEvent(event, absl::StrCat("events[", i, "]"), now);
        !s.ok()) {
      return ToGrpcStatus(s);
    }
    events.push_back(&event);
  }
  absl::StatusOr<std::vector<v1::EventOutcome>> outcomes =
      recorders_(caller.tenant).Record(events);
  if (!outcomes.ok()) return ToGrpcStatus(outcomes.status());
  for (size_t i = 0; i < outcomes->size(); ++i) {
    metrics_->EventRecorded(events[i]->action(), (*outcomes)[i]);
    *response->add_outcomes() = std::move((*outcomes)[i]);
  }
  return grpc::Status::OK;
}

grpc::Status EventService::RetractEvent(grpc::ServerContext* context,
                                        const v1::RetractEventRequest* request,
                                        v1::RetractEventResponse* response) {
  PLAUDIT_ADMIT(caller, guard_, context, "EventService/RetractEvent");
  if (auto s = ValidateId("event_id", request->event_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::RetractEventResponse> retraction =
      recorders_(caller.tenant).Retract(request->event_id());
  if (!retraction.ok()) return ToGrpcStatus(retraction.status());
  if (!retraction->already_retracted()) metrics_->EventRetracted();
  *response = *std::move(retraction);
  return grpc::Status::OK;
}

}  // namespace plaudit
