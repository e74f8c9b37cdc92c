// The HTTP routes of the API, read from the `google.api.http` options of
// the protos' methods (no route is written by hand anywhere): path
// templates such as "/v1/users/{user_id}/balance:adjust", matched against a
// request's verb and path. Pure: no sockets, no gRPC calls.
#ifndef PLAUDIT_SERVICES_HTTP_ROUTE_TABLE_H_
#define PLAUDIT_SERVICES_HTTP_ROUTE_TABLE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace plaudit {

struct Route {
  std::string verb;     // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string pattern;  // as declared, e.g. "/v1/rules/{rule.rule_id}"
  // Path segments; a variable is "{field.path}" (one segment).
  std::vector<std::string> segments;
  std::string custom_verb;  // "redeem" of ".../{reward_id}:redeem"
  // "" (no body), "*" (the whole request) or a field of the request.
  std::string body;
  const google::protobuf::MethodDescriptor* method = nullptr;
  // "/plaudit.v1.RewardService/Redeem": the gRPC method it calls.
  std::string grpc_path;
};

struct RouteMatch {
  const Route* route = nullptr;
  // (field path, percent-decoded value) of each path variable.
  std::vector<std::pair<std::string, std::string>> bindings;
};

class RouteTable {
 public:
  // Every method of `services` with an http option. INVALID_ARGUMENT for a
  // template that is malformed, names no field of the request, or repeats
  // another route's verb and pattern.
  static absl::StatusOr<RouteTable> Build(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // The route of `verb` and `path` (without the query string). NOT_FOUND
  // when no route has the path; FAILED_PRECONDITION (405) when routes have
  // it with other verbs, listed in `allowed`. INVALID_ARGUMENT for a path
  // variable that is not valid percent-encoding or decodes to NUL.
  absl::StatusOr<RouteMatch> Match(absl::string_view verb,
                                   absl::string_view path,
                                   std::vector<std::string>* allowed) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// "%2F" -> "/"; "+" stays "+". INVALID_ARGUMENT for a bad escape or NUL.
absl::StatusOr<std::string> PercentDecode(absl::string_view text);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_HTTP_ROUTE_TABLE_H_
