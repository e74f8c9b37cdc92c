#include "services/http/gateway.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/byte_buffer.h"
#include "services/common/error_reason.h"
#include "services/http/event_stream.h"
#include "services/http/openapi.h"
#include "services/http/transcoder.h"

namespace plaudit {
namespace {

HttpResponse FromError(const HttpError& error) {
  HttpResponse response;
  response.status = error.status;
  response.body = error.body;
  if (error.retry_after_seconds) {
    response.headers.emplace_back("Retry-After",
                                  absl::StrCat(*error.retry_after_seconds));
  }
  return response;
}

HttpResponse Refused(int status, absl::Status why) {
  return FromError(HttpErrorOf(status, why));
}

// What travels from the HTTP request to the gRPC call, verbatim.
constexpr const char* kPassedHeaders[] = {"authorization", "plaudit-actor",
                                          "plaudit-tenant"};

struct InFlight {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  const google::protobuf::Descriptor* output = nullptr;
  std::function<void(HttpResponse)> respond;
};

HttpResponse Answer(InFlight& call, const grpc::Status& status) {
  if (!status.ok()) return FromError(ToHttpError(status));
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(call.output)
          ->New());
  // Read from gRPC's slices in place.
  if (!grpc::SerializationTraits<google::protobuf::Message>::Deserialize(
           &call.response, message.get())
           .ok()) {
    return Refused(500, absl::InternalError("the answer did not parse"));
  }
  HttpResponse response;
  response.body = ToJson(*message);
  return response;
}

// Removes every `name`=value pair from a query string; returns the last
// value, percent-decoded ("" when absent).
absl::StatusOr<std::string> TakeQueryParameter(std::string* query,
                                               absl::string_view name) {
  std::string value;
  std::vector<std::string> kept;
  for (absl::string_view pair : absl::StrSplit(*query, '&', absl::SkipEmpty())) {
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) != name) {
      kept.emplace_back(pair);
      continue;
    }
    absl::StatusOr<std::string> decoded = PercentDecode(
        equals == absl::string_view::npos ? "" : pair.substr(equals + 1));
    if (!decoded.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "query parameter ", name, ": ", decoded.status().message()));
    }
    value = *std::move(decoded);
  }
  *query = absl::StrJoin(kept, "&");
  return value;
}

// An EventSource resuming sends the last id it saw: the stream's cursor
// (a request field "after"), unless the query names one.
void ApplyLastEventId(const std::string& last_event_id,
                      google::protobuf::Message* request) {
  if (last_event_id.empty()) return;
  const auto* field = request->GetDescriptor()->FindFieldByName("after");
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() !=
          google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
    return;
  }
  const auto* reflection = request->GetReflection();
  if (reflection->GetString(*request, field).empty()) {
    reflection->SetString(request, field, last_event_id);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Gateway::Metadata(
    const HttpRequest& request) const {
  std::vector<std::pair<std::string, std::string>> metadata;
  for (const char* name : kPassedHeaders) {
    std::string value = request.Header(name);
    if (!value.empty()) metadata.emplace_back(name, std::move(value));
  }
  metadata.emplace_back(kForwardedPeerHeader, request.peer);
  metadata.emplace_back(kGatewayTokenHeader, options_.token);
  return metadata;
}

Gateway::Gateway(RouteTable routes, std::shared_ptr<grpc::Channel> channel,
                 GatewayOptions options)
    : routes_(std::move(routes)),
      openapi_(OpenApiDocument(routes_)),
      channel_(std::move(channel)),
      stub_(channel_),
      options_(std::move(options)) {}

bool Gateway::AllowsOrigin(const std::string& origin) const {
  return !origin.empty() &&
         std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                   origin) != options_.cors_origins.end();
}

void Gateway::Handle(HttpRequest request,
                     std::function<void(HttpResponse)> respond) {
  const std::string origin = request.Header("origin");
  if (AllowsOrigin(origin)) {
    // Every answer to a listed origin says so; Vary keeps caches apart.
    respond = [origin, respond = std::move(respond)](HttpResponse response) {
      response.headers.emplace_back("Access-Control-Allow-Origin", origin);
      response.headers.emplace_back("Access-Control-Expose-Headers",
                                    "Retry-After");
      response.headers.emplace_back("Vary", "Origin");
      respond(std::move(response));
    };
  }
  if (request.method == "OPTIONS" && !origin.empty()) {
    return respond(Preflight(origin));
  }
  // gRPC metadata takes printable ASCII only (anything else aborts the
  // process inside gRPC): refuse it here, before any call.
  for (const char* name : kPassedHeaders) {
    const std::string value = request.Header(name);
    if (!std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e; })) {
      return respond(
          Refused(400, WithReason(absl::InvalidArgumentError(absl::StrCat(
                                      name, ": may hold only printable ASCII")),
                                  "MALFORMED_REQUEST", {{"field", name}})));
    }
  }
  const size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  if (path == "/healthz" && request.method == "GET") {
    HttpResponse response;
    response.body = "{\"status\":\"SERVING\"}";
    return respond(std::move(response));
  }
  if (path == "/v1/openapi.json" && request.method == "GET") {
    HttpResponse response;
    response.body = openapi_;
    return respond(std::move(response));
  }
  if (absl::StartsWith(path, "/scim/v2/") && options_.scim) {
    std::vector<std::pair<std::string, std::string>> metadata = {
        {kForwardedPeerHeader, request.peer},
        {kGatewayTokenHeader, options_.token}};
    return options_.scim(std::move(request), std::move(metadata),
                         std::move(respond));
  }
  if (path == "/readyz" && request.method == "GET" && options_.ready) {
    return options_.ready([respond = std::move(respond)](bool ready) {
      HttpResponse response;
      response.status = ready ? 200 : 503;
      response.body = ready ? "{\"status\":\"SERVING\"}"
                            : "{\"status\":\"NOT_SERVING\",\"message\":"
                              "\"Redis is not reachable\"}";
      respond(std::move(response));
    });
  }
  std::vector<std::string> allowed;
  absl::StatusOr<RouteMatch> match =
      routes_.Match(request.method, path, &allowed);
  if (absl::IsNotFound(match.status())) {
    return respond(Refused(404, WithReason(match.status(), "NO_ROUTE")));
  }
  if (absl::IsFailedPrecondition(match.status())) {
    HttpResponse response = Refused(
        405, WithReason(absl::InvalidArgumentError(match.status().message()),
                        "METHOD_NOT_ALLOWED"));
    response.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
    return respond(std::move(response));
  }
  if (!match.ok()) {
    return respond(
        Refused(400, WithReason(match.status(), "MALFORMED_REQUEST")));
  }
  if (!request.body.empty() &&
      !absl::StartsWithIgnoreCase(request.Header("content-type"),
                                  "application/json")) {
    return respond(Refused(
        415, WithReason(absl::InvalidArgumentError(
                            "Content-Type: the body must be application/json"),
                        "UNSUPPORTED_MEDIA_TYPE")));
  }
  Call(*match, std::move(request), std::move(respond));
}

// A browser asking whether a page of `origin` may call: yes for the
// origins listed (--http_cors_origins), no for every other.
HttpResponse Gateway::Preflight(const std::string& origin) const {
  if (!AllowsOrigin(origin)) {
    return Refused(
        403, WithReason(absl::PermissionDeniedError(absl::StrCat(
                            "origin ", origin,
                            " may not call this API from a browser (plauditd "
                            "--http_cors_origins lists those that may)")),
                        "CORS_ORIGIN_REFUSED"));
  }
  HttpResponse response;
  response.status = 204;
  response.headers = {
      {"Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE"},
      {"Access-Control-Allow-Headers",
       "authorization, content-type, idempotency-key, plaudit-actor, "
       "plaudit-tenant, last-event-id"},
      {"Access-Control-Max-Age", "600"}};
  return response;
}

void Gateway::Call(const RouteMatch& match, HttpRequest request,
                   std::function<void(HttpResponse)> respond) {
  const size_t question = request.target.find('?');
  std::string query = question == std::string::npos
                          ? std::string()
                          : request.target.substr(question + 1);
  const bool streaming = match.route->method->server_streaming();
  if (streaming) {
    // A browser's EventSource cannot send headers: an event stream's key
    // may come as ?access_token= instead (no other route takes it).
    absl::StatusOr<std::string> token = TakeQueryParameter(&query, "access_token");
    if (!token.ok()) return respond(Refused(400, token.status()));
    if (!token->empty() && request.Header("authorization").empty()) {
      request.headers.emplace_back("authorization",
                                   absl::StrCat("Bearer ", *token));
    }
  }
  const std::string idempotency_key = request.Header("idempotency-key");
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      BuildRequest(match, {query, request.body, idempotency_key});
  if (!message.ok()) return respond(Refused(400, message.status()));
  if (streaming) {
    ApplyLastEventId(request.Header("last-event-id"), message->get());
    return StartEventStream({&stub_, match.route, *std::move(message),
                             Metadata(request), options_.stream_max_age},
                            std::move(respond));
  }
  auto call = std::make_shared<InFlight>();
  call->output = match.route->method->output_type();
  call->respond = std::move(respond);
  const std::string bytes = (*message)->SerializeAsString();
  grpc::Slice slice(bytes);
  call->request = grpc::ByteBuffer(&slice, 1);
  call->context.set_deadline(
      absl::ToChronoTime(absl::Now() + options_.deadline));
  for (const auto& [name, value] : Metadata(request)) {
    call->context.AddMetadata(name, value);
  }
  stub_.UnaryCall(&call->context, match.route->grpc_path, grpc::StubOptions(),
                  &call->request, &call->response, [call](grpc::Status status) {
                    call->respond(Answer(*call, status));
                  });
}

}  // namespace plaudit
