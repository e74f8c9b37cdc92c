#include "services/http/route_table.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"

namespace plaudit {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::MethodDescriptor;

bool IsVariable(absl::string_view segment) {
  return absl::StartsWith(segment, "{") && absl::EndsWith(segment, "}");
}

// Whether `path` ("rule.rule_id") names a field of `message`, following
// message fields.
bool HasFieldPath(const Descriptor* message, absl::string_view path) {
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (message == nullptr) return false;
    const auto* field = message->FindFieldByName(std::string(part));
    if (field == nullptr) return false;
    message = field->message_type();
  }
  return true;
}

// The verb and pattern of an http rule ("" when it has none).
std::pair<std::string, std::string> VerbOf(const google::api::HttpRule& rule) {
  if (!rule.get().empty()) return {"GET", rule.get()};
  if (!rule.post().empty()) return {"POST", rule.post()};
  if (!rule.put().empty()) return {"PUT", rule.put()};
  if (!rule.patch().empty()) return {"PATCH", rule.patch()};
  if (!rule.delete_().empty()) return {"DELETE", rule.delete_()};
  return {"", ""};
}

absl::StatusOr<Route> Parse(const MethodDescriptor* method,
                            const google::api::HttpRule& rule) {
  Route route;
  std::tie(route.verb, route.pattern) = VerbOf(rule);
  route.body = rule.body();
  route.method = method;
  route.grpc_path =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        method->full_name(), ": http rule \"", route.pattern, "\" ", why));
  };
  if (route.verb.empty()) return bad("has no verb");
  if (!absl::StartsWith(route.pattern, "/")) return bad("must start with /");
  absl::string_view path = route.pattern;
  // A custom verb follows the last ':' after the last variable's '}'.
  const size_t brace = path.rfind('}');
  const size_t colon = path.rfind(':');
  if (colon != absl::string_view::npos &&
      (brace == absl::string_view::npos || colon > brace)) {
    route.custom_verb = std::string(path.substr(colon + 1));
    path = path.substr(0, colon);
  }
  for (absl::string_view segment :
       absl::StrSplit(path.substr(1), '/', absl::AllowEmpty())) {
    if (segment.empty()) return bad("has an empty segment");
    if (IsVariable(segment)) {
      const absl::string_view field = segment.substr(1, segment.size() - 2);
      if (!HasFieldPath(method->input_type(), field)) {
        return bad(absl::StrCat("names no field ", field, " of ",
                                method->input_type()->full_name()));
      }
    }
    route.segments.emplace_back(segment);
  }
  if (!route.body.empty() && route.body != "*" &&
      !HasFieldPath(method->input_type(), route.body)) {
    return bad(absl::StrCat("has a body field ", route.body,
                            " that the request does not have"));
  }
  return route;
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      c = absl::ascii_tolower(c);
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    if (i + 2 >= text.size()) {
      return absl::InvalidArgumentError("a % escape is cut short");
    }
    const int high = hex(text[i + 1]), low = hex(text[i + 2]);
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"%", text.substr(i + 1, 2), "\" is no % escape"));
    }
    const char c = static_cast<char>(high * 16 + low);
    if (c == '\0') return absl::InvalidArgumentError("%00 is not allowed");
    out.push_back(c);
    i += 2;
  }
  return out;
}

absl::StatusOr<RouteTable> RouteTable::Build(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  for (const auto* service : services) {
    for (int m = 0; m < service->method_count(); ++m) {
      const MethodDescriptor* method = service->method(m);
      if (!method->options().HasExtension(google::api::http)) continue;
      absl::StatusOr<Route> route =
          Parse(method, method->options().GetExtension(google::api::http));
      if (!route.ok()) return route.status();
      for (const Route& other : table.routes_) {
        if (other.verb == route->verb && other.pattern == route->pattern) {
          return absl::InvalidArgumentError(absl::StrCat(
              method->full_name(), " and ", other.method->full_name(),
              " share ", route->verb, " ", route->pattern));
        }
      }
      table.routes_.push_back(*std::move(route));
    }
  }
  // Routes with a custom verb are tried first: "/v1/engagement/global/
  // week:series" is GetEngagementSeries, not GetEngagement of a period
  // named "week:series".
  std::stable_sort(table.routes_.begin(), table.routes_.end(),
                   [](const Route& a, const Route& b) {
                     return !a.custom_verb.empty() && b.custom_verb.empty();
                   });
  return table;
}

absl::StatusOr<RouteMatch> RouteTable::Match(
    absl::string_view verb, absl::string_view path,
    std::vector<std::string>* allowed) const {
  if (!absl::StartsWith(path, "/")) return absl::NotFoundError("no route");
  const std::vector<absl::string_view> given =
      absl::StrSplit(path.substr(1), '/');
  for (const Route& route : routes_) {
    if (route.segments.size() != given.size()) continue;
    // The custom verb is split off at the last raw ':' (an id holding ':'
    // sends it as %3A).
    absl::string_view last = given.back();
    if (!route.custom_verb.empty()) {
      const size_t colon = last.rfind(':');
      if (colon == absl::string_view::npos ||
          last.substr(colon + 1) != route.custom_verb) {
        continue;
      }
      last = last.substr(0, colon);
    }
    auto part = [&](size_t i) {
      return i + 1 == given.size() ? last : given[i];
    };
    bool matches = true;
    for (size_t i = 0; i < given.size() && matches; ++i) {
      const std::string& segment = route.segments[i];
      matches = IsVariable(segment) ? !part(i).empty() : part(i) == segment;
    }
    if (!matches) continue;
    if (route.verb != verb) {
      if (allowed != nullptr) allowed->push_back(route.verb);
      continue;
    }
    RouteMatch match{&route, {}};
    for (size_t i = 0; i < given.size(); ++i) {
      const std::string& segment = route.segments[i];
      if (!IsVariable(segment)) continue;
      const std::string field = segment.substr(1, segment.size() - 2);
      absl::StatusOr<std::string> decoded = PercentDecode(part(i));
      if (!decoded.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": ", decoded.status().message()));
      }
      match.bindings.emplace_back(field, *std::move(decoded));
    }
    return match;
  }
  if (allowed != nullptr && !allowed->empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        verb,
        " is not allowed here; allowed: ", absl::StrJoin(*allowed, ", ")));
  }
  return absl::NotFoundError(absl::StrCat("no route for ", verb, " ", path));
}

}  // namespace plaudit
