// How the gateway's JSON (services/http/transcoder.cc: proto3 canonical
// JSON) reads in OpenAPI 3.0.3:
//
// - Paths: each route's pattern with each variable named by the last part
//   of its field path ("/v1/rules/{rule.rule_id}" is "/v1/rules/{rule_id}":
//   OpenAPI counts paths that differ only in variable names as one, and
//   GetRule has "/v1/rules/{rule_id}"), a custom verb stays in the path
//   ("/v1/rewards/{reward_id}:redeem"). operationId "<Service>_<Method>"
//   ("RewardService_Redeem"), tag "<Service>". Path parameters are required
//   and typed like their field.
// - Query parameters: the request fields neither the path nor the body
//   takes, i.e. every field of a route without a body (GET, DELETE), and of
//   a body "<field>" route every field but that one (PATCH's update_mask).
//   Named by JSON name (lowerCamelCase: "pageSize"; the gateway accepts the
//   proto name too), dotted through non-repeated messages ("settings.
//   timeZone"); scalars, enums (by name, any case), repeated scalars (the
//   parameter repeated), Timestamp and FieldMask as strings. The gateway
//   takes bytes and masks verbatim from a query: no base64, and a mask
//   names proto fields there ("daily_limit", as opposed to a body's
//   "dailyLimit").
//   Maps, repeated messages and other well-known types cannot be given in
//   a query and are left out.
// - Request bodies: body "*" is the request less its path fields (an
//   inline schema when the path binds a top-level field, else a $ref of
//   the request); body "<field>" is that field's schema.
// - Responses: "200" is the response message, "default" the Error schema.
// - components.schemas: one per message and enum reachable from a route,
//   keyed by full name ("plaudit.v1.Rule", "plaudit.v1.Rule.Recipient").
//   Properties by JSON name. int32 -> integer/int32; uint32 -> integer/
//   int64, minimum 0 (it does not fit an int32); int64 -> string/int64 and
//   uint64 -> string/uint64 (canonical JSON writes 64-bit integers as
//   strings); double/float -> number; bool -> boolean; string -> string;
//   bytes -> string/byte (base64); enum -> string with the value names;
//   repeated -> array; map -> object with additionalProperties. Well-known
//   types inline: Timestamp string/date-time, Duration string ("1.5s"),
//   FieldMask string, Struct object, Value any ({}), ListValue array, Empty
//   object, Any object with "@type", wrappers as their scalar.
// - No property is "required": schemas serve requests (where every field
//   may be left out) and responses alike. Responses print every field
//   (always_print_primitive_fields) except unset messages, oneof members and
//   proto3 optional fields.
// - Security: a bearer key ("Bearer plk.<tenant>.<key_id>.<secret>") on
//   every operation but /healthz, /readyz and /v1/openapi.json.
// Descriptors of generated code carry no comments, so there are no
// summaries; each operation's description names its gRPC method.
#include "services/http/openapi.h"

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "services/http/json_writer.h"

namespace plaudit {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

// A JSON value whose objects keep their insertion order, so that the
// document reads top-down and is the same text on every start.
class Json {
 public:
  Json() = default;                                    // null
  Json(const char* text) : Json(std::string(text)) {}  // NOLINT: implicit
  Json(std::string text)                               // NOLINT: implicit
      : kind_(Kind::kString), scalar_(std::move(text)) {}
  static Json Object() { return Json(Kind::kObject, ""); }
  static Json Array() { return Json(Kind::kArray, ""); }
  static Json Integer(int64_t n) {
    return Json(Kind::kLiteral, absl::StrCat(n));
  }
  static Json Bool(bool b) {
    return Json(Kind::kLiteral, b ? "true" : "false");
  }

  // The member `key`, added (null) when absent; a null becomes an object.
  Json& operator[](absl::string_view key) {
    if (kind_ == Kind::kNull) kind_ = Kind::kObject;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == key) return values_[i];
    }
    keys_.emplace_back(key);
    values_.emplace_back();
    return values_.back();
  }
  Json& Set(absl::string_view key, Json value) & {
    (*this)[key] = std::move(value);
    return *this;
  }
  Json&& Set(absl::string_view key, Json value) && {
    return std::move(Set(key, std::move(value)));
  }
  Json& Add(Json item) & {
    values_.push_back(std::move(item));
    return *this;
  }
  Json&& Add(Json item) && { return std::move(Add(std::move(item))); }
  void AppendTo(std::string* out) const {
    switch (kind_) {
      case Kind::kNull:
        out->append("null");
        return;
      case Kind::kLiteral:
        out->append(scalar_);
        return;
      case Kind::kString:
        AppendQuoted(scalar_, out);
        return;
      case Kind::kArray:
      case Kind::kObject: {
        const bool object = kind_ == Kind::kObject;
        out->push_back(object ? '{' : '[');
        for (size_t i = 0; i < values_.size(); ++i) {
          if (i > 0) out->push_back(',');
          if (object) {
            AppendQuoted(keys_[i], out);
            out->push_back(':');
          }
          values_[i].AppendTo(out);
        }
        out->push_back(object ? '}' : ']');
        return;
      }
    }
  }

 private:
  enum class Kind { kNull, kLiteral, kString, kArray, kObject };
  Json(Kind kind, std::string scalar)
      : kind_(kind), scalar_(std::move(scalar)) {}

  static void AppendQuoted(absl::string_view text, std::string* out) {
    AppendJsonString(text, out);
  }

  Kind kind_ = Kind::kNull;
  std::string scalar_;  // a string's text, or a number or bool as written
  std::vector<std::string> keys_;
  std::vector<Json> values_;  // an object's members, an array's items
};

Json Typed(const char* type, const char* format = nullptr) {
  Json schema = Json::Object().Set("type", type);
  if (format != nullptr) schema.Set("format", format);
  return schema;
}

Json Ref(absl::string_view section, absl::string_view name) {
  return Json::Object().Set("$ref",
                            absl::StrCat("#/components/", section, "/", name));
}

Json JsonContent(Json schema) {
  return Json::Object().Set("application/json",
                            Json::Object().Set("schema", std::move(schema)));
}

bool IsWellKnown(const Descriptor* message) {
  return absl::StartsWith(message->full_name(), "google.protobuf.");
}

// The JSON form of a well-known type: its own, else any JSON value.
Json WellKnown(const Descriptor* message) {
  const absl::string_view type =
      absl::string_view(message->full_name()).substr(16);
  if (type == "Timestamp") return Typed("string", "date-time");
  if (type == "Duration") {
    return Typed("string").Set("description", "seconds with an s, e.g. 1.5s");
  }
  if (type == "FieldMask") {
    return Typed("string").Set("description",
                               "comma-separated field paths, e.g. points,"
                               "dailyLimit");
  }
  if (type == "Struct") {
    return Typed("object").Set("additionalProperties", Json::Bool(true));
  }
  if (type == "Value") return Json::Object();  // any JSON value
  if (type == "ListValue") return Typed("array").Set("items", Json::Object());
  if (type == "Empty") return Typed("object");
  if (type == "Any") {
    return Typed("object")
        .Set("required", Json::Array().Add("@type"))
        .Set("properties", Json::Object().Set("@type", Typed("string")))
        .Set("additionalProperties", Json::Bool(true));
  }
  if (type == "DoubleValue") return Typed("number", "double");
  if (type == "FloatValue") return Typed("number", "float");
  if (type == "Int64Value") return Typed("string", "int64");
  if (type == "UInt64Value") return Typed("string", "uint64");
  if (type == "Int32Value") return Typed("integer", "int32");
  if (type == "UInt32Value") {
    return Typed("integer", "int64").Set("minimum", Json::Integer(0));
  }
  if (type == "BoolValue") return Typed("boolean");
  if (type == "StringValue") return Typed("string");
  if (type == "BytesValue") return Typed("string", "byte");
  return Json::Object();
}

// components.schemas, filled with every message and enum a route names.
class Schemas {
 public:
  // A field's value as JSON carries it: arrays for repeated fields, objects
  // for maps.
  Json Field(const FieldDescriptor* field) {
    if (field->is_map()) {
      return Typed("object").Set("additionalProperties",
                                 Singular(field->message_type()->map_value()));
    }
    if (field->is_repeated()) {
      return Typed("array").Set("items", Singular(field));
    }
    return Singular(field);
  }

  // A $ref to the message's schema, or a well-known type's inline schema.
  Json Message(const Descriptor* message) {
    if (IsWellKnown(message)) return WellKnown(message);
    const std::string& name = message->full_name();
    if (started_.insert(name).second) {
      Json schema = Typed("object").Set("properties", Properties(message, {}));
      std::vector<std::string> oneofs;
      for (int i = 0; i < message->real_oneof_decl_count(); ++i) {
        std::vector<std::string> members;
        const auto* oneof = message->oneof_decl(i);  // real ones first
        for (int f = 0; f < oneof->field_count(); ++f) {
          members.push_back(oneof->field(f)->json_name());
        }
        oneofs.push_back(absl::StrCat("at most one of ",
                                      absl::StrJoin(members, ", "), " (",
                                      oneof->name(), ")"));
      }
      if (!oneofs.empty()) {
        schema.Set("description",
                   absl::StrCat(absl::StrJoin(oneofs, "; "), "."));
      }
      schemas_[name] = std::move(schema);
    }
    return Ref("schemas", name);
  }

  // The properties of `message` by JSON name, but those in `omit` (proto
  // names).
  Json Properties(const Descriptor* message,
                  const std::set<std::string>& omit) {
    Json properties = Json::Object();
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor* field = message->field(i);
      if (omit.count(field->name())) continue;
      properties.Set(field->json_name(), Field(field));
    }
    return properties;
  }

  // Every schema collected, by name, and `extra`'s.
  Json Build(std::map<std::string, Json> extra) && {
    extra.merge(schemas_);
    Json all = Json::Object();
    for (auto& [name, schema] : extra) all.Set(name, std::move(schema));
    return all;
  }

 private:
  Json Singular(const FieldDescriptor* field) {
    switch (field->type()) {
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return Typed("integer", "int32");
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return Typed("integer", "int64").Set("minimum", Json::Integer(0));
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
        return Typed("string", "int64");
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return Typed("string", "uint64");
      case FieldDescriptor::TYPE_DOUBLE:
        return Typed("number", "double");
      case FieldDescriptor::TYPE_FLOAT:
        return Typed("number", "float");
      case FieldDescriptor::TYPE_BOOL:
        return Typed("boolean");
      case FieldDescriptor::TYPE_STRING:
        return Typed("string");
      case FieldDescriptor::TYPE_BYTES:
        return Typed("string", "byte");
      case FieldDescriptor::TYPE_ENUM:
        return Enum(field->enum_type());
      case FieldDescriptor::TYPE_MESSAGE:
      case FieldDescriptor::TYPE_GROUP:
        return Message(field->message_type());
    }
    return Json::Object();
  }

  Json Enum(const EnumDescriptor* type) {
    const std::string& name = type->full_name();
    if (started_.insert(name).second) {
      Json names = Json::Array();
      for (int i = 0; i < type->value_count(); ++i) {
        names.Add(type->value(i)->name());
      }
      schemas_[name] = Typed("string").Set("enum", std::move(names));
    }
    return Ref("schemas", name);
  }

  std::map<std::string, Json> schemas_;
  std::set<std::string> started_;  // guards recursive messages
};

// The field at `path` ("rule.rule_id") of `message`; RouteTable::Build
// checked that there is one.
const FieldDescriptor* FieldAt(const Descriptor* message,
                               absl::string_view path) {
  const FieldDescriptor* field = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    field = message->FindFieldByName(std::string(part));
    if (field == nullptr) return nullptr;
    message = field->message_type();
  }
  return field;
}

// Query parameters for the fields of `message` whose proto paths are not
// `taken` (by the path or the body), dotted through non-repeated messages.
void AddQueryParameters(const Descriptor* message,
                        const std::string& proto_prefix,
                        const std::string& json_prefix,
                        const std::set<std::string>& taken,
                        std::set<const Descriptor*>* open, Schemas* schemas,
                        Json* parameters) {
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
    const std::string proto_path = proto_prefix + field->name();
    const std::string json_path = json_prefix + field->json_name();
    if (taken.count(proto_path) || field->is_map()) continue;
    const Descriptor* type = field->message_type();
    const bool mask =
        type != nullptr && type->full_name() == "google.protobuf.FieldMask";
    Json schema;
    if (field->type() == FieldDescriptor::TYPE_BYTES || mask) {
      // Taken verbatim from a query: bytes are not base64 there, and a
      // mask's paths stay proto field names.
      schema = field->is_repeated()
                   ? Typed("array").Set("items", Typed("string"))
                   : Typed("string");
    } else if (type == nullptr ||
               type->full_name() == "google.protobuf.Timestamp") {
      schema = schemas->Field(field);
    } else if (IsWellKnown(type) || field->is_repeated() ||
               !open->insert(type).second) {
      continue;  // no query form (or a message recursing into itself)
    } else {
      AddQueryParameters(type, proto_path + ".", json_path + ".", taken, open,
                         schemas, parameters);
      open->erase(type);
      continue;
    }
    Json parameter = Json::Object()
                         .Set("name", json_path)
                         .Set("in", "query")
                         .Set("schema", std::move(schema));
    if (mask) {
      parameter.Set("description",
                    "comma-separated proto field names, e.g. "
                    "points,daily_limit");
    }
    parameters->Add(std::move(parameter));
  }
}

// Whether the gateway fills the request's idempotency key from an
// Idempotency-Key header (transcoder.cc: request_id, else event.event_id).
bool TakesIdempotencyKey(const Descriptor* request) {
  for (const char* path : {"request_id", "event.event_id"}) {
    const FieldDescriptor* field = FieldAt(request, path);
    if (field != nullptr &&
        field->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
        !field->is_repeated()) {
      return true;
    }
  }
  return false;
}

Json ErrorResponse() {
  return Json::Object()
      .Set("description",
           "An error. The HTTP status follows the gRPC code (INVALID_ARGUMENT "
           "and FAILED_PRECONDITION 400, UNAUTHENTICATED 401, "
           "PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS 409, "
           "RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, ...); branch on "
           "details[].reason, never on the message.")
      .Set("headers",
           Json::Object().Set(
               "Retry-After",
               Json::Object()
                   .Set("description",
                        "Seconds to wait, with a google.rpc.RetryInfo")
                   .Set("schema", Typed("integer", "int32"))))
      .Set("content", JsonContent(Ref("schemas", "Error")));
}

// "rule_id" of the path variable "rule.rule_id".
std::string ParameterName(absl::string_view field_path) {
  const size_t dot = field_path.rfind('.');
  return std::string(
      dot == absl::string_view::npos ? field_path : field_path.substr(dot + 1));
}

// The route's pattern with its variables named as their parameters.
std::string DocumentPath(const Route& route) {
  std::string path;
  for (const std::string& segment : route.segments) {
    const bool variable = absl::StartsWith(segment, "{");
    absl::StrAppend(
        &path, "/",
        variable
            ? absl::StrCat("{",
                           ParameterName(segment.substr(1, segment.size() - 2)),
                           "}")
            : segment);
  }
  if (!route.custom_verb.empty())
    absl::StrAppend(&path, ":", route.custom_verb);
  return path;
}

Json Operation(const Route& route, Schemas* schemas) {
  const auto* method = route.method;
  const Descriptor* request = method->input_type();
  const std::string& service = method->service()->name();
  Json operation =
      Json::Object()
          .Set("operationId", absl::StrCat(service, "_", method->name()))
          .Set("tags", Json::Array().Add(service))
          .Set("description", absl::StrCat("gRPC ", route.grpc_path, "."));
  Json parameters = Json::Array();
  std::set<std::string> taken;
  std::set<std::string> top_level_path_fields;
  for (const std::string& segment : route.segments) {
    if (!absl::StartsWith(segment, "{")) continue;
    const std::string path = segment.substr(1, segment.size() - 2);
    taken.insert(path);
    if (!absl::StrContains(path, '.')) top_level_path_fields.insert(path);
    parameters.Add(Json::Object()
                       .Set("name", ParameterName(path))
                       .Set("in", "path")
                       .Set("required", Json::Bool(true))
                       .Set("schema", schemas->Field(FieldAt(request, path))));
  }
  if (route.body != "*") {
    if (!route.body.empty()) taken.insert(route.body);
    std::set<const Descriptor*> open = {request};
    AddQueryParameters(request, "", "", taken, &open, schemas, &parameters);
  }
  if (TakesIdempotencyKey(request)) {
    parameters.Add(Ref("parameters", "IdempotencyKey"));
  }
  parameters.Add(Ref("parameters", "PlauditActor"));
  parameters.Add(Ref("parameters", "PlauditTenant"));
  if (method->server_streaming()) {
    parameters.Add(
        Json::Object()
            .Set("name", "Last-Event-ID")
            .Set("in", "header")
            .Set("description",
                 "Resume after this event (what EventSource sends when it "
                 "reconnects); the query's `after` wins")
            .Set("schema", Typed("string")));
    parameters.Add(
        Json::Object()
            .Set("name", "access_token")
            .Set("in", "query")
            .Set("description",
                 "The API key, for a browser's EventSource, which cannot "
                 "send an Authorization header (event streams only)")
            .Set("schema", Typed("string")));
  }
  operation.Set("parameters", std::move(parameters));

  if (!route.body.empty()) {
    Json body;
    if (route.body != "*") {
      body = schemas->Field(FieldAt(request, route.body));
    } else if (top_level_path_fields.empty()) {
      body = schemas->Message(request);
    } else {
      body = Typed("object").Set(
          "properties", schemas->Properties(request, top_level_path_fields));
    }
    operation.Set("requestBody",
                  Json::Object().Set("content", JsonContent(std::move(body))));
  }
  if (method->server_streaming()) {
    // Server-Sent Events: each event's data is one message's JSON.
    operation.Set(
        "responses",
        Json::Object()
            .Set("200",
                 Json::Object()
                     .Set("description",
                          absl::StrCat(
                              "Server-Sent Events until the client closes "
                              "(or after an hour: reconnect with "
                              "Last-Event-ID). Each event: id = the "
                              "message's id, event = its kind, data = one ",
                              method->output_type()->name(),
                              " as JSON (schema ", method->output_type()->name(),
                              "); a call ending in error sends an \"error\" "
                              "event with an Error."))
                     .Set("content",
                          Json::Object().Set(
                              "text/event-stream",
                              Json::Object().Set("schema", Typed("string")))))
            .Set("default", ErrorResponse()));
    // Touch the message's schema, so that the document defines it.
    schemas->Message(method->output_type());
    return operation;
  }
  operation.Set(
      "responses",
      Json::Object()
          .Set("200", Json::Object()
                          .Set("description", "OK")
                          .Set("content", JsonContent(schemas->Message(
                                              method->output_type()))))
          .Set("default", ErrorResponse()));
  return operation;
}

// The paths the gateway answers itself, without a key.
void AddGatewayPaths(Json* paths) {
  auto get = [](const char* id, const char* description, Json responses) {
    return Json::Object().Set("get",
                              Json::Object()
                                  .Set("operationId", id)
                                  .Set("tags", Json::Array().Add("Gateway"))
                                  .Set("description", description)
                                  .Set("security", Json::Array())
                                  .Set("responses", std::move(responses)));
  };
  auto health = [](const char* description) {
    return Json::Object()
        .Set("description", description)
        .Set("content", JsonContent(Ref("schemas", "HealthStatus")));
  };
  paths->Set("/healthz", get("Gateway_Healthz", "Liveness: the process serves.",
                             Json::Object().Set("200", health("SERVING"))));
  paths->Set("/readyz",
             get("Gateway_Readyz", "Readiness: Redis is reachable.",
                 Json::Object()
                     .Set("200", health("SERVING"))
                     .Set("503", health("NOT_SERVING, with a message"))));
  paths->Set(
      "/v1/openapi.json",
      get("Gateway_OpenApi", "This document.",
          Json::Object().Set(
              "200", Json::Object()
                         .Set("description", "OpenAPI 3.0.3")
                         .Set("content", JsonContent(Typed("object"))))));
}

std::map<std::string, Json> FixedSchemas() {
  std::map<std::string, Json> schemas;
  schemas["Error"] =
      Typed("object")
          .Set("required", Json::Array().Add("error"))
          .Set("properties",
               Json::Object().Set(
                   "error",
                   Typed("object")
                       .Set("required", Json::Array()
                                            .Add("code")
                                            .Add("status")
                                            .Add("message")
                                            .Add("details"))
                       .Set("properties",
                            Json::Object()
                                .Set("code",
                                     Typed("integer", "int32")
                                         .Set("description", "HTTP status"))
                                .Set("status",
                                     Typed("string").Set("description",
                                                         "gRPC code name, e.g. "
                                                         "INVALID_ARGUMENT"))
                                .Set("message", Typed("string"))
                                .Set("details",
                                     Typed("array").Set(
                                         "items",
                                         Ref("schemas", "ErrorDetail"))))));
  schemas["ErrorDetail"] =
      Typed("object")
          .Set("description",
               "A google.rpc.ErrorInfo (reason, domain \"plaudit\", "
               "metadata) or google.rpc.RetryInfo (retryDelay), by @type.")
          .Set("required", Json::Array().Add("@type"))
          .Set("properties",
               Json::Object()
                   .Set("@type", Typed("string"))
                   .Set("reason",
                        Typed("string").Set("description",
                                            "stable UPPER_SNAKE_CASE, e.g. "
                                            "REWARD_NOT_FOUND"))
                   .Set("domain", Typed("string"))
                   .Set("metadata", Typed("object").Set("additionalProperties",
                                                        Typed("string")))
                   .Set("retryDelay",
                        Typed("string").Set("description", "e.g. 1.5s")))
          .Set("additionalProperties", Json::Bool(true));
  schemas["HealthStatus"] =
      Typed("object")
          .Set("required", Json::Array().Add("status"))
          .Set("properties",
               Json::Object()
                   .Set("status", Typed("string").Set(
                                      "enum", Json::Array().Add("SERVING").Add(
                                                  "NOT_SERVING")))
                   .Set("message", Typed("string")));
  return schemas;
}

Json HeaderParameter(const char* name, const char* description) {
  return Json::Object()
      .Set("name", name)
      .Set("in", "header")
      .Set("description", description)
      .Set("schema", Typed("string"));
}

}  // namespace

std::string OpenApiDocument(const RouteTable& routes) {
  Schemas schemas;
  Json paths = Json::Object();
  Json tags = Json::Array();
  std::set<std::string> tagged;
  for (const Route& route : routes.routes()) {
    const auto* service = route.method->service();
    if (tagged.insert(service->name()).second) {
      tags.Add(Json::Object()
                   .Set("name", service->name())
                   .Set("description", service->full_name()));
    }
    paths[DocumentPath(route)].Set(absl::AsciiStrToLower(route.verb),
                                   Operation(route, &schemas));
  }
  tags.Add(Json::Object()
               .Set("name", "Gateway")
               .Set("description", "Health and this document; no key."));
  AddGatewayPaths(&paths);

  Json components =
      Json::Object()
          .Set("securitySchemes",
               Json::Object().Set(
                   "bearerAuth",
                   Json::Object()
                       .Set("type", "http")
                       .Set("scheme", "bearer")
                       .Set("bearerFormat", "plk.<tenant>.<key_id>.<secret>")))
          .Set("parameters",
               Json::Object()
                   .Set("IdempotencyKey",
                        HeaderParameter("Idempotency-Key",
                                        "Used as the request's idempotency "
                                        "key (requestId, or event.eventId) "
                                        "when the request leaves it empty."))
                   .Set("PlauditActor",
                        HeaderParameter("plaudit-actor",
                                        "Who acts, for the audit trail (and "
                                        "the manager an integration key "
                                        "grants for)."))
                   .Set("PlauditTenant",
                        HeaderParameter("plaudit-tenant",
                                        "Optional; must be the key's tenant.")))
          .Set("schemas", std::move(schemas).Build(FixedSchemas()));

  Json document =
      Json::Object()
          .Set("openapi", "3.0.3")
          .Set("info",
               Json::Object()
                   .Set("title", "Plaudit API")
                   .Set("version", "v1")
                   .Set("description",
                        "The HTTP/JSON form of Plaudit's gRPC API. Bodies are "
                        "proto3 JSON: lowerCamelCase names (requests also "
                        "accept the proto names), 64-bit integers as "
                        "strings, enums by name, times in RFC 3339; "
                        "responses carry every field but unset messages, "
                        "oneofs and optional fields. Path parameters are "
                        "named by proto field path (rule.rule_id), query "
                        "parameters by JSON name (pageSize), dotted for "
                        "nested fields, repeated for lists."))
          .Set("tags", std::move(tags))
          .Set("security", Json::Array().Add(
                               Json::Object().Set("bearerAuth", Json::Array())))
          .Set("paths", std::move(paths))
          .Set("components", std::move(components));
  std::string out;
  document.AppendTo(&out);
  return out;
}

}  // namespace plaudit
