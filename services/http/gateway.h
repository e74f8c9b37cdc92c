// The HTTP/JSON face of the API: each request is matched to its route
// (RouteTable), transcoded (BuildRequest), and called through the gRPC
// server itself over an in-process channel, so that the one key guard,
// rate limit, metrics, deadlines and audit apply to both transports. The
// caller's address and plaudit-actor go along (metadata plaudit-peer and
// plaudit-actor), so throttling and the audit see the real caller.
#ifndef PLAUDIT_SERVICES_HTTP_GATEWAY_H_
#define PLAUDIT_SERVICES_HTTP_GATEWAY_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "services/http/http_server.h"
#include "services/http/route_table.h"

namespace plaudit {

struct GatewayOptions {
  absl::Duration deadline = absl::Seconds(30);  // per call
  // An event stream (server-streaming route, as Server-Sent Events) ends
  // after this; the client resumes with Last-Event-ID and is admitted
  // again (a revoked key stops then).
  absl::Duration stream_max_age = absl::Hours(1);
  // Answers /readyz: calls back with whether the service can serve (Redis
  // reachable).
  std::function<void(std::function<void(bool)>)> ready;
  // Sent as "plaudit-gateway" beside the forwarded peer, so that the key
  // guard believes the address (KeyGuardOptions::gateway_token).
  std::string token;
  // Origins (scheme://host[:port]) whose pages may call the API from a
  // browser (CORS, with preflight); none by default.
  std::vector<std::string> cors_origins;
  // Serves /scim/v2/... when set; gets the metadata every in-process call
  // carries (forwarded peer and token).
  std::function<void(HttpRequest,
                     std::vector<std::pair<std::string, std::string>>,
                     std::function<void(HttpResponse)>)>
      scim;
};

class Gateway {
 public:
  Gateway(RouteTable routes, std::shared_ptr<grpc::Channel> channel,
          GatewayOptions options);

  void Handle(HttpRequest request, std::function<void(HttpResponse)> respond);

  const RouteTable& routes() const { return routes_; }

 private:
  bool AllowsOrigin(const std::string& origin) const;
  HttpResponse Preflight(const std::string& origin) const;
  void Call(const RouteMatch& match, HttpRequest request,
            std::function<void(HttpResponse)> respond);
  // What an in-process call carries: the passed headers, the caller's
  // address and the token that vouches for it.
  std::vector<std::pair<std::string, std::string>> Metadata(
      const HttpRequest& request) const;

  const RouteTable routes_;
  const std::string openapi_;  // GET /v1/openapi.json
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  const GatewayOptions options_;
};

// The metadata that carries the HTTP caller's address to the key guard,
// and the token that vouches for it.
inline constexpr char kForwardedPeerHeader[] = "plaudit-peer";
inline constexpr char kGatewayTokenHeader[] = "plaudit-gateway";

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_HTTP_GATEWAY_H_
