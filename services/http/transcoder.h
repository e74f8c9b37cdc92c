// HTTP/JSON <-> protobuf for one route: builds the method's request from the
// path variables, the query string and the JSON body (proto3 canonical
// JSON; unknown fields refused), and writes responses and errors back as
// JSON. Pure: no sockets, no gRPC calls.
#ifndef PLAUDIT_SERVICES_HTTP_TRANSCODER_H_
#define PLAUDIT_SERVICES_HTTP_TRANSCODER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "services/http/route_table.h"

namespace plaudit {

struct HttpInput {
  absl::string_view query;  // after '?', still percent-encoded
  absl::string_view body;   // JSON, may be empty
  // Idempotency-Key header: the request_id (or event.event_id) when the
  // request has one and left it empty.
  absl::string_view idempotency_key;
};

// The request `match.route`'s method takes. INVALID_ARGUMENT naming the
// part at fault ("body: ...", "query parameter page_size: ...").
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildRequest(
    const RouteMatch& match, const HttpInput& input);

// `message` as JSON, every field included (zeros and empty lists too).
std::string ToJson(const google::protobuf::Message& message);

struct HttpError {
  int status = 500;
  // {"error": {"code", "status", "message", "details": [...]}}
  std::string body;
  std::optional<int> retry_after_seconds;  // from a google.rpc.RetryInfo
};

// The HTTP status of a gRPC code (the standard mapping: INVALID_ARGUMENT
// 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, ...).
int HttpStatusOf(grpc::StatusCode code);
HttpError ToHttpError(const grpc::Status& status);
// For errors the HTTP layer makes itself (404 for no route, 415, 413...).
HttpError HttpErrorOf(int http_status, const absl::Status& status);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_HTTP_TRANSCODER_H_
