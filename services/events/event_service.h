// EventService: what employees did, turned into points (thin adapter). It
// uses gRPC's callback API: a call waiting for Redis holds no thread.
#ifndef PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_
#define PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_

#include "plaudit/v1/event_service.grpc.pb.h"
#include "services/common/call_guard.h"
#include "services/common/clock.h"
#include "services/events/event_recorder.h"
#include "services/metrics/metrics.h"

namespace plaudit {

class EventService final : public v1::EventService::CallbackService {
 public:
  EventService(ForTenant<EventRecorder> recorders, const CallGuard* guard,
               Metrics* metrics, Clock clock)
      : recorders_(std::move(recorders)),
        guard_(guard),
        metrics_(metrics),
        clock_(std::move(clock)) {}

  grpc::ServerUnaryReactor* RecordEvent(
      grpc::CallbackServerContext* context,
      const v1::RecordEventRequest* request,
      v1::RecordEventResponse* response) override;
  grpc::ServerUnaryReactor* RecordEvents(
      grpc::CallbackServerContext* context,
      const v1::RecordEventsRequest* request,
      v1::RecordEventsResponse* response) override;
  grpc::ServerUnaryReactor* RetractEvent(
      grpc::CallbackServerContext* context,
      const v1::RetractEventRequest* request,
      v1::RetractEventResponse* response) override;
  grpc::ServerBidiReactor<v1::StreamEventsRequest, v1::StreamEventsResponse>*
  StreamEvents(grpc::CallbackServerContext* context) override;

 private:
  class Stream;

  ForTenant<EventRecorder> recorders_;
  const CallGuard* guard_;
  Metrics* metrics_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_
