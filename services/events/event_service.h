// EventService: what employees did, turned into points (thin adapter).
#ifndef PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_
#define PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_

#include "services/common/call_guard.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "services/common/clock.h"
#include "services/events/event_recorder.h"
#include "services/metrics/metrics.h"

namespace plaudit {

class EventService final : public v1::EventService::Service {
 public:
  EventService(ForTenant<EventRecorder> recorders, const CallGuard* guard,
               Metrics* metrics, Clock clock)
      : recorders_(std::move(recorders)),
        guard_(guard),
        metrics_(metrics),
        clock_(std::move(clock)) {}

  grpc::Status RecordEvent(grpc::ServerContext* context,
                           const v1::RecordEventRequest* request,
                           v1::RecordEventResponse* response) override;
  grpc::Status RecordEvents(grpc::ServerContext* context,
                            const v1::RecordEventsRequest* request,
                            v1::RecordEventsResponse* response) override;
  grpc::Status RetractEvent(grpc::ServerContext* context,
                            const v1::RetractEventRequest* request,
                            v1::RetractEventResponse* response) override;

 private:
  ForTenant<EventRecorder> recorders_;
  const CallGuard* guard_;
  Metrics* metrics_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_
