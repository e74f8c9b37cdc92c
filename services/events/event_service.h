// EventService: what employees did, turned into points (thin adapter). Its
// bodies answer later, from the award pipeline's callback: a call waiting
// for Redis holds no thread.
#ifndef PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_
#define PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_

#include "plaudit/v1/event_service.grpc.pb.h"
#include "services/common/clock.h"
#include "services/events/event_recorder.h"
#include "services/metrics/metrics.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

class EventService final : public RpcService {
 public:
  EventService(ForTenant<EventRecorder> recorders, CallGate gate,
               Metrics* metrics, Clock clock);

  void RecordEvent(const Caller& caller, const v1::RecordEventRequest& request,
                   v1::RecordEventResponse* response, Reply reply);
  void RecordEvents(const Caller& caller,
                    const v1::RecordEventsRequest& request,
                    v1::RecordEventsResponse* response, Reply reply);
  void RetractEvent(const Caller& caller,
                    const v1::RetractEventRequest& request,
                    v1::RetractEventResponse* response, Reply reply);

 private:
  class Stream;
  StreamReactor* StartStream(grpc::CallbackServerContext* context);

  ForTenant<EventRecorder> recorders_;
  Metrics* metrics_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_EVENTS_EVENT_SERVICE_H_
