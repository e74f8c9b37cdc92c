// A server-streaming RPC served as Server-Sent Events: each message a
// `data:` line of its JSON, with the message's "id" field as the event id
// (so that EventSource's Last-Event-ID resumes the stream) and its "kind"
// as the event name. The call goes through the gRPC server's in-process
// channel like every other route. Nothing is queued: the next message is
// read from the call only once the previous one is on the wire, so a client
// that stops reading holds back its call, not the server's memory.
#ifndef PLAUDIT_SERVICES_HTTP_EVENT_STREAM_H_
#define PLAUDIT_SERVICES_HTTP_EVENT_STREAM_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "services/http/http_server.h"
#include "services/http/route_table.h"

namespace plaudit {

struct EventStreamCall {
  grpc::GenericStub* stub = nullptr;
  const Route* route = nullptr;
  std::unique_ptr<google::protobuf::Message> request;
  std::vector<std::pair<std::string, std::string>> metadata;
  // The stream ends after this (the client reconnects with its
  // Last-Event-ID, and is admitted again: a revoked key stops then).
  absl::Duration max_age = absl::Hours(1);
};

// Answers `respond` with an error (the call refused before it began) or
// with a streamed text/event-stream body.
void StartEventStream(EventStreamCall call,
                      std::function<void(HttpResponse)> respond);

// One message as an SSE event: "id: ..\nevent: ..\ndata: <json>\n\n".
std::string SseEvent(const google::protobuf::Message& message);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_HTTP_EVENT_STREAM_H_
