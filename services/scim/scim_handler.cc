// SCIM 2.0 (RFC 7643 resources, RFC 7644 protocol) as calls of
// plaudit.v1.UserService with the caller's own key.
//
// Mapping
//   User `id` = `userName` = Plaudit user_id (immutable: a PUT or PATCH that
//     changes it is 400 mutability).
//   `displayName` (else `name.formatted`, else `name.givenName familyName`)
//     = display_name.
//   `active` = !deactivated. false -> DeactivateUser (reason "SCIM:
//     deprovisioned", the tenant's balance policy, LEAVE_ALL_BOARDS);
//     true on a deactivated user -> ReactivateUser. Both need an admin key.
//   `groups` = the user's Plaudit groups ("dept:sales"): read-only on a User
//     (RFC 7643 §4.1.2; a PATCH of it is 400 mutability), set through
//     /Groups; a POST or PUT that carries `groups` sets them (a Plaudit
//     extension, so that a full replace keeps what it echoes back).
//   Enterprise extension `manager.value` = manager_id.
//   `meta.resourceType`, `meta.location` = /scim/v2/Users/<percent-encoded>.
//   Attributes Plaudit does not keep (emails, title, externalId, ...) are
//   accepted and dropped: identity providers send them all by default.
//   Group `id` = `displayName` = the group string ("<kind>:<name>"). Groups
//   exist implicitly (any valid name); their members cannot be listed (no
//   such RPC), so GET answers without "members" (optional, RFC 7643 §4.2)
//   and member changes are add/remove by value only.
//
// Operations
//   POST   /Users            GetUser (exists: 409 uniqueness), UpsertUser,
//                            DeactivateUser if `active` is false.
//   GET    /Users/{id}       GetUser.
//   GET    /Users?filter=    `userName eq "x"` or `id eq "x"` only: a
//                            ListResponse of 0 or 1 (no ListUsers RPC, so
//                            no filter or another filter is 400
//                            invalidFilter).
//   PUT    /Users/{id}       GetUser, UpsertUser (display name, manager;
//                            groups kept unless given), (De|Re)activateUser.
//   PATCH  /Users/{id}       the same after applying the PatchOp operations.
//   DELETE /Users/{id}       DeactivateUser: 204, also if deactivated already.
//   GET    /Groups/{id}, GET /Groups?filter=displayName eq "x"
//   POST   /Groups, PATCH /Groups/{id}
//                            GetUser of every member, then one ImportUsers
//                            (all or nothing) with the group added/removed.
//   GET    /ServiceProviderConfig, /Schemas, /ResourceTypes (no key needed:
//          static, no tenant data).
// Group PUT and DELETE, Bulk, /Me, sorting, etags and the attributes
// parameter are not supported.
//
// Every body is validated whole before the first call, so a refused body
// changes nothing. A PUT/PATCH writes the record before (de)activating, so
// that refusals such as MANAGER_LOOP come before anything irreversible; a
// (de)activation refused afterwards (403 for a non-admin key) leaves the
// record change applied, and the error says so.
#include "services/scim/scim_handler.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "plaudit/v1/user_service.grpc.pb.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using Metadata = std::vector<std::pair<std::string, std::string>>;

constexpr char kUserSchema[] = "urn:ietf:params:scim:schemas:core:2.0:User";
constexpr char kGroupSchema[] = "urn:ietf:params:scim:schemas:core:2.0:Group";
constexpr char kEnterpriseSchema[] =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
constexpr char kListSchema[] =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";
constexpr char kPatchSchema[] = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
constexpr char kErrorSchema[] = "urn:ietf:params:scim:api:messages:2.0:Error";
constexpr char kBase[] = "/scim/v2/";
constexpr char kScimJson[] = "application/scim+json";
constexpr char kDeprovisionReason[] = "SCIM: deprovisioned";
// GetUser of an id no one syncs: the key guard's verdict (401, 403, 429)
// for answers that read nothing else, such as GET /Groups/{id}.
constexpr char kAuthorizationProbe[] = "scim.authorization-probe";
constexpr absl::Duration kCallDeadline = absl::Seconds(30);
constexpr int kWorkerThreads = 4;
constexpr size_t kMaxQueuedRequests = 1000;
constexpr size_t kMaxMembersPerRequest = 10'000;  // ImportUsers' limit

// What travels from the HTTP request to every call, as the gateway sends it.
constexpr const char* kPassedHeaders[] = {"authorization", "plaudit-actor",
                                          "plaudit-tenant"};

// ---- Errors (RFC 7644 §3.12) ----

// An error's scimType rides on the absl::Status until ErrorResponse.
constexpr char kScimTypePayload[] = "type.plaudit.dev/scim.scimType";

absl::Status ScimFault(absl::StatusCode code, absl::string_view scim_type,
                       absl::string_view detail) {
  absl::Status status(code, detail);
  if (!scim_type.empty()) {
    status.SetPayload(kScimTypePayload, absl::Cord(scim_type));
  }
  return status;
}

absl::Status InvalidValue(absl::string_view detail) {
  return ScimFault(absl::StatusCode::kInvalidArgument, "invalidValue", detail);
}
absl::Status InvalidSyntax(absl::string_view detail) {
  return ScimFault(absl::StatusCode::kInvalidArgument, "invalidSyntax", detail);
}
absl::Status InvalidFilter(absl::string_view detail) {
  return ScimFault(absl::StatusCode::kInvalidArgument, "invalidFilter", detail);
}
absl::Status InvalidPath(absl::string_view detail) {
  return ScimFault(absl::StatusCode::kInvalidArgument, "invalidPath", detail);
}
absl::Status Mutability(absl::string_view detail) {
  return ScimFault(absl::StatusCode::kInvalidArgument, "mutability", detail);
}
absl::Status NoTarget(absl::string_view detail) {
  return ScimFault(absl::StatusCode::kInvalidArgument, "noTarget", detail);
}

// `status` with another message, its payloads (scimType, reason) kept.
absl::Status Reworded(const absl::Status& status, absl::string_view message) {
  absl::Status out(status.code(), message);
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

// The standard gRPC -> HTTP mapping, as the gateway's.
int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

// A failed call as SCIM reports it: the message (which names the field)
// with its stable reason; scimType invalidValue or uniqueness; `hint` for
// a refusal by role, saying which key would do.
absl::Status FromGrpc(const grpc::Status& status, absl::string_view hint = "") {
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string detail = status.error_message();
  const std::string reason = ErrorReasonOf(status);
  if (!reason.empty()) absl::StrAppend(&detail, " (", reason, ")");
  if (code == absl::StatusCode::kPermissionDenied && !hint.empty()) {
    absl::StrAppend(&detail, "; ", hint);
  }
  const char* scim_type =
      code == absl::StatusCode::kInvalidArgument ? "invalidValue"
      : code == absl::StatusCode::kAlreadyExists ? "uniqueness"
                                                 : "";
  absl::Status out = ScimFault(code, scim_type, detail);
  if (!reason.empty()) out = WithReason(std::move(out), reason);
  if (auto delay = RetryDelayOf(status)) {
    out = WithRetryDelay(std::move(out), *delay);
  }
  return out;
}

// ---- JSON ----

Value Text(absl::string_view text) {
  Value value;
  value.set_string_value(std::string(text));
  return value;
}
Value Flag(bool flag) {
  Value value;
  value.set_bool_value(flag);
  return value;
}
Value Number(double number) {
  Value value;
  value.set_number_value(number);
  return value;
}
Value Object(Struct object) {
  Value value;
  *value.mutable_struct_value() = std::move(object);
  return value;
}
Value List(std::vector<Value> items) {
  Value value;
  for (Value& item : items) {
    *value.mutable_list_value()->add_values() = std::move(item);
  }
  return value;
}
void Put(Struct* object, const std::string& name, Value value) {
  (*object->mutable_fields())[name] = std::move(value);
}

bool IsNull(const Value* value) {
  return value == nullptr || value->kind_case() == Value::kNullValue ||
         value->kind_case() == Value::KIND_NOT_SET;
}

// Attribute names are case-insensitive (RFC 7643 §2.1).
const Value* Attr(const Struct& object, absl::string_view name) {
  for (const auto& [key, value] : object.fields()) {
    if (absl::EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

// `value` for an error detail, cut short: details never echo a whole body.
std::string Shown(const Value& value) {
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(value, &json).ok()) {
    return "(unprintable)";
  }
  return json.size() > 64 ? json.substr(0, 64) + "..." : json;
}

std::string ToJson(const Struct& object) {
  std::string json;
  // A Struct built here always prints.
  (void)google::protobuf::util::MessageToJsonString(object, &json);
  return json;
}

absl::StatusOr<Struct> ParseBody(const std::string& body) {
  if (absl::StripAsciiWhitespace(body).empty()) {
    return InvalidSyntax("the request body is empty: a JSON object is needed");
  }
  Struct object;
  const auto status =
      google::protobuf::util::JsonStringToMessage(body, &object);
  if (!status.ok()) {
    std::string why(status.message());
    if (why.size() > 200) why.resize(200);
    return InvalidSyntax(absl::StrCat("the body is not a JSON object: ", why));
  }
  return object;
}

// A string attribute: "" when absent or null.
absl::StatusOr<std::string> TextOf(const Value* value, absl::string_view name) {
  if (IsNull(value)) return std::string();
  if (value->kind_case() != Value::kStringValue) {
    return InvalidValue(
        absl::StrCat(name, ": must be a string, got ", Shown(*value)));
  }
  return value->string_value();
}

// Azure AD sends `active` as "True"/"False" strings.
absl::StatusOr<bool> ActiveOf(const Value& value) {
  if (value.kind_case() == Value::kBoolValue) return value.bool_value();
  if (value.kind_case() == Value::kStringValue) {
    if (absl::EqualsIgnoreCase(value.string_value(), "true")) return true;
    if (absl::EqualsIgnoreCase(value.string_value(), "false")) return false;
  }
  return InvalidValue(absl::StrCat(
      "active: must be a boolean (true or false), got ", Shown(value)));
}

// manager as {"value": id} or, as some clients send it, the id itself;
// null or "" is no manager.
absl::StatusOr<std::string> ManagerOf(const Value* value) {
  if (IsNull(value)) return std::string();
  if (value->kind_case() == Value::kStringValue) return value->string_value();
  if (value->kind_case() == Value::kStructValue) {
    return TextOf(Attr(value->struct_value(), "value"), "manager.value");
  }
  return InvalidValue(absl::StrCat(
      "manager: must be {\"value\": \"<manager id>\"} or a string, got ",
      Shown(*value)));
}

// The `value`s of a multi-valued attribute ([{"value": "x"}, ...]).
absl::StatusOr<std::vector<std::string>> ValuesOf(const Value& value,
                                                  absl::string_view name) {
  if (value.kind_case() != Value::kListValue) {
    return InvalidValue(absl::StrCat(
        name, ": must be an array of {\"value\": ...}, got ", Shown(value)));
  }
  std::vector<std::string> values;
  for (int i = 0; i < value.list_value().values_size(); ++i) {
    const Value& item = value.list_value().values(i);
    const std::string field = absl::StrCat(name, "[", i, "].value");
    const Value* text = item.kind_case() == Value::kStructValue
                            ? Attr(item.struct_value(), "value")
                            : &item;
    if (IsNull(text) || text->kind_case() != Value::kStringValue) {
      return InvalidValue(absl::StrCat(field, ": must be a string"));
    }
    values.push_back(text->string_value());
  }
  return values;
}

absl::StatusOr<std::vector<std::string>> GroupsOf(const Value& value) {
  absl::StatusOr<std::vector<std::string>> groups = ValuesOf(value, "groups");
  if (!groups.ok()) return groups.status();
  for (size_t i = 0; i < groups->size(); ++i) {
    const absl::Status valid =
        ValidateGroup(absl::StrCat("groups[", i, "].value"), (*groups)[i]);
    if (!valid.ok()) return InvalidValue(valid.message());
  }
  return groups;
}

absl::StatusOr<std::vector<std::string>> MembersOf(const Value& value) {
  absl::StatusOr<std::vector<std::string>> members = ValuesOf(value, "members");
  if (!members.ok()) return members.status();
  for (size_t i = 0; i < members->size(); ++i) {
    const absl::Status valid =
        ValidateId(absl::StrCat("members[", i, "].value"), (*members)[i]);
    if (!valid.ok()) return InvalidValue(valid.message());
  }
  return members;
}

// displayName, else name.formatted, else "givenName familyName".
absl::StatusOr<std::string> DisplayNameOf(const Struct& user) {
  if (const Value* display = Attr(user, "displayName"); !IsNull(display)) {
    return TextOf(display, "displayName");
  }
  const Value* name = Attr(user, "name");
  if (IsNull(name)) return std::string();
  if (name->kind_case() != Value::kStructValue) {
    return InvalidValue(
        absl::StrCat("name: must be an object, got ", Shown(*name)));
  }
  const Struct& parts = name->struct_value();
  if (const Value* formatted = Attr(parts, "formatted"); !IsNull(formatted)) {
    return TextOf(formatted, "name.formatted");
  }
  absl::StatusOr<std::string> given =
      TextOf(Attr(parts, "givenName"), "name.givenName");
  if (!given.ok()) return given.status();
  absl::StatusOr<std::string> family =
      TextOf(Attr(parts, "familyName"), "name.familyName");
  if (!family.ok()) return family.status();
  return std::string(
      absl::StripAsciiWhitespace(absl::StrCat(*given, " ", *family)));
}

// A present `schemas` must name `schema`; an absent one is tolerated, as
// several clients omit it.
absl::Status CheckSchemas(const Struct& body, absl::string_view schema) {
  const Value* schemas = Attr(body, "schemas");
  if (IsNull(schemas)) return absl::OkStatus();
  if (schemas->kind_case() == Value::kListValue) {
    for (const Value& item : schemas->list_value().values()) {
      if (absl::EqualsIgnoreCase(item.string_value(), schema)) {
        return absl::OkStatus();
      }
    }
  }
  return InvalidSyntax(absl::StrCat("schemas: must include \"", schema, "\""));
}

// `name` in lower case without its schema's URN
// ("urn:...:core:2.0:User:active" -> "active").
std::string AttributePath(absl::string_view name, absl::string_view schema) {
  const std::string lower = absl::AsciiStrToLower(name);
  const std::string prefix = absl::StrCat(absl::AsciiStrToLower(schema), ":");
  return !schema.empty() && absl::StartsWith(lower, prefix)
             ? lower.substr(prefix.size())
             : lower;
}

// ---- URLs ----

std::string PercentEncoded(absl::string_view segment) {
  std::string out;
  for (unsigned char c : segment) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ||
        c == '~' || c == ':' || c == '@') {
      out.push_back(static_cast<char>(c));
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int HexDigit(char c) {
  if (absl::ascii_isdigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> PercentDecoded(absl::string_view text,
                                           bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else if (i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
               HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 +
                                      HexDigit(text[i + 2])));
      i += 2;
    } else {
      return InvalidSyntax(
          absl::StrCat("bad percent-encoding in \"", text.substr(0, 64), "\""));
    }
  }
  return out;
}

std::string Location(absl::string_view resource, absl::string_view id) {
  return absl::StrCat(kBase, resource, "/", PercentEncoded(id));
}

// The decoded query parameter `name`; nullopt when absent.
absl::StatusOr<std::optional<std::string>> QueryParam(absl::string_view query,
                                                      absl::string_view name) {
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (!absl::EqualsIgnoreCase(kv.first, name)) continue;
    absl::StatusOr<std::string> value = PercentDecoded(kv.second, true);
    if (!value.ok()) return value.status();
    return std::optional<std::string>(*std::move(value));
  }
  return std::optional<std::string>();
}

// ---- Filters ----

// The one filter there is a call for: `<attribute> eq "<value>"`.
struct EqualityFilter {
  std::string attribute;  // lower case, schema prefix removed
  std::string value;
};

absl::StatusOr<EqualityFilter> ParseEqualityFilter(absl::string_view text,
                                                   absl::string_view schema,
                                                   absl::string_view usage) {
  text = absl::StripAsciiWhitespace(text);
  const std::vector<absl::string_view> head =
      absl::StrSplit(text, absl::MaxSplits(' ', 2));
  if (head.size() != 3 || !absl::EqualsIgnoreCase(head[1], "eq")) {
    return InvalidFilter(absl::StrCat("filter: only ", usage,
                                      " is supported, got \"",
                                      text.substr(0, 64), "\""));
  }
  const absl::string_view quoted = absl::StripAsciiWhitespace(head[2]);
  size_t end = 1;
  while (end < quoted.size() && quoted[end] != '"') {
    end += quoted[end] == '\\' ? 2 : 1;
  }
  Value value;
  if (quoted.empty() || quoted[0] != '"' || end + 1 != quoted.size() ||
      !google::protobuf::util::JsonStringToMessage(std::string(quoted), &value)
           .ok()) {
    return InvalidFilter(
        absl::StrCat("filter: the value must be one quoted string (", usage,
                     "), got ", quoted.substr(0, 64)));
  }
  return EqualityFilter{AttributePath(head[0], schema), value.string_value()};
}

// The `filter` of a list request whose attribute is one of `attributes`.
absl::StatusOr<EqualityFilter> ListFilter(
    absl::string_view query, absl::string_view schema, absl::string_view usage,
    const std::vector<absl::string_view>& attributes) {
  absl::StatusOr<std::optional<std::string>> filter =
      QueryParam(query, "filter");
  if (!filter.ok()) return filter.status();
  if (!filter->has_value()) {
    return InvalidFilter(
        absl::StrCat("filter: is required; Plaudit cannot list every resource "
                     "(no ListUsers call), use ",
                     usage));
  }
  absl::StatusOr<EqualityFilter> parsed =
      ParseEqualityFilter(**filter, schema, usage);
  if (!parsed.ok()) return parsed.status();
  if (std::find(attributes.begin(), attributes.end(), parsed->attribute) ==
      attributes.end()) {
    return InvalidFilter(absl::StrCat("filter: only ", usage,
                                      " is supported, not attribute ",
                                      parsed->attribute));
  }
  return parsed;
}

// ---- Resources ----

Struct Meta(absl::string_view resource_type, const std::string& location) {
  Struct meta;
  Put(&meta, "resourceType", Text(resource_type));
  Put(&meta, "location", Text(location));
  return meta;
}

Struct UserResource(const v1::User& user) {
  Struct resource;
  std::vector<Value> schemas = {Text(kUserSchema)};
  Put(&resource, "id", Text(user.user_id()));
  Put(&resource, "userName", Text(user.user_id()));
  if (!user.display_name().empty()) {
    Put(&resource, "displayName", Text(user.display_name()));
  }
  Put(&resource, "active", Flag(!user.deactivated()));
  std::vector<Value> groups;
  for (const std::string& group : user.groups()) {
    Struct entry;
    Put(&entry, "value", Text(group));
    Put(&entry, "display", Text(group));
    Put(&entry, "$ref", Text(Location("Groups", group)));
    groups.push_back(Object(std::move(entry)));
  }
  if (!groups.empty()) Put(&resource, "groups", List(std::move(groups)));
  if (!user.manager_id().empty()) {
    schemas.push_back(Text(kEnterpriseSchema));
    Struct manager;
    Put(&manager, "value", Text(user.manager_id()));
    Put(&manager, "$ref", Text(Location("Users", user.manager_id())));
    Struct enterprise;
    Put(&enterprise, "manager", Object(std::move(manager)));
    Put(&resource, kEnterpriseSchema, Object(std::move(enterprise)));
  }
  Put(&resource, "schemas", List(std::move(schemas)));
  Put(&resource, "meta",
      Object(Meta("User", Location("Users", user.user_id()))));
  return resource;
}

Struct GroupResource(const std::string& group) {
  Struct resource;
  Put(&resource, "schemas", List({Text(kGroupSchema)}));
  Put(&resource, "id", Text(group));
  Put(&resource, "displayName", Text(group));
  Put(&resource, "meta", Object(Meta("Group", Location("Groups", group))));
  return resource;
}

HttpResponse ScimAnswer(int status, const Struct& body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kScimJson;
  response.body = ToJson(body);
  return response;
}

HttpResponse Created(const Struct& resource, const std::string& location) {
  HttpResponse response = ScimAnswer(201, resource);
  response.headers.emplace_back("Location", location);
  return response;
}

HttpResponse NoContent() {
  HttpResponse response;
  response.status = 204;
  response.content_type = kScimJson;
  return response;
}

HttpResponse ErrorResponse(int status, absl::string_view scim_type,
                           absl::string_view detail) {
  Struct body;
  Put(&body, "schemas", List({Text(kErrorSchema)}));
  Put(&body, "status", Text(absl::StrCat(status)));
  if (!scim_type.empty()) Put(&body, "scimType", Text(scim_type));
  Put(&body, "detail", Text(detail));
  return ScimAnswer(status, body);
}

// The one place where an error becomes an answer.
HttpResponse ErrorResponse(const absl::Status& status) {
  const absl::optional<absl::Cord> type = status.GetPayload(kScimTypePayload);
  HttpResponse response =
      ErrorResponse(HttpStatusOf(status.code()), type ? std::string(*type) : "",
                    status.message());
  if (std::optional<absl::Duration> delay = RetryDelay(status)) {
    const double seconds = std::ceil(absl::ToDoubleSeconds(*delay));
    response.headers.emplace_back(
        "Retry-After", absl::StrCat(std::max(1, static_cast<int>(seconds))));
  }
  if (response.status == 401) {
    response.headers.emplace_back("WWW-Authenticate",
                                  "Bearer realm=\"plaudit\"");
  }
  return response;
}

// A ListResponse of `matches` (0 or 1), paged by startIndex and count.
absl::StatusOr<HttpResponse> ListAnswer(absl::string_view query,
                                        std::vector<Struct> matches) {
  int start = 1;
  int count = static_cast<int>(matches.size());
  for (auto [name, out] :
       {std::pair{"startIndex", &start}, std::pair{"count", &count}}) {
    absl::StatusOr<std::optional<std::string>> text = QueryParam(query, name);
    if (!text.ok()) return text.status();
    if (text->has_value() && !absl::SimpleAtoi(**text, out)) {
      return InvalidValue(absl::StrCat(name, ": must be an integer"));
    }
  }
  start = std::max(start, 1);  // RFC 7644 §3.4.2.4: below 1 means 1
  count = std::max(count, 0);
  std::vector<Value> page;
  for (size_t i = start - 1; i < matches.size() && page.size() < count; ++i) {
    page.push_back(Object(std::move(matches[i])));
  }
  Struct list;
  Put(&list, "schemas", List({Text(kListSchema)}));
  Put(&list, "totalResults", Number(matches.size()));
  Put(&list, "startIndex", Number(start));
  Put(&list, "itemsPerPage", Number(page.size()));
  Put(&list, "Resources", List(std::move(page)));
  return ScimAnswer(200, list);
}

// ---- Calls ----

// UserService as one SCIM request's caller: every call carries their key
// (and actor, tenant) and the gateway's forwarded peer and token, so the
// key guard, roles, rate limits and audit apply as to any other client.
class Directory {
 public:
  Directory(v1::UserService::Stub* stub, Metadata metadata)
      : stub_(stub), metadata_(std::move(metadata)) {}

  absl::StatusOr<v1::User> Get(const std::string& user_id) {
    v1::GetUserRequest request;
    request.set_user_id(user_id);
    v1::GetUserResponse response;
    grpc::ClientContext context;
    Prepare(&context);
    const grpc::Status status = stub_->GetUser(&context, request, &response);
    if (!status.ok()) return FromGrpc(status);
    return response.user();
  }

  absl::StatusOr<v1::User> Upsert(const v1::User& user) {
    v1::UpsertUserRequest request;
    *request.mutable_user() = user;
    v1::UpsertUserResponse response;
    grpc::ClientContext context;
    Prepare(&context);
    const grpc::Status status = stub_->UpsertUser(&context, request, &response);
    if (!status.ok()) return FromGrpc(status);
    return response.user();
  }

  absl::Status Import(const std::vector<v1::User>& users) {
    v1::ImportUsersRequest request;
    for (const v1::User& user : users) *request.add_users() = user;
    v1::ImportUsersResponse response;
    grpc::ClientContext context;
    Prepare(&context);
    const grpc::Status status =
        stub_->ImportUsers(&context, request, &response);
    return status.ok() ? absl::OkStatus() : FromGrpc(status);
  }

  // Deprovisioning: the tenant's balance policy, off every board.
  absl::StatusOr<v1::User> Deactivate(const std::string& user_id) {
    v1::DeactivateUserRequest request;
    request.set_user_id(user_id);
    request.set_reason(kDeprovisionReason);
    v1::DeactivateUserResponse response;
    grpc::ClientContext context;
    Prepare(&context);
    const grpc::Status status =
        stub_->DeactivateUser(&context, request, &response);
    if (!status.ok()) {
      return FromGrpc(status,
                      "SCIM deprovisioning (DELETE, or active set to false) "
                      "calls DeactivateUser, which needs an admin key");
    }
    return response.user();
  }

  absl::StatusOr<v1::User> Reactivate(const std::string& user_id) {
    v1::ReactivateUserRequest request;
    request.set_user_id(user_id);
    v1::ReactivateUserResponse response;
    grpc::ClientContext context;
    Prepare(&context);
    const grpc::Status status =
        stub_->ReactivateUser(&context, request, &response);
    if (!status.ok()) {
      return FromGrpc(status,
                      "SCIM reactivation (active set to true) calls "
                      "ReactivateUser, which needs an admin key");
    }
    return response.user();
  }

  // OK when the caller may read users; their key's refusal otherwise.
  absl::Status Authorize() {
    absl::StatusOr<v1::User> probe = Get(kAuthorizationProbe);
    return probe.ok() || absl::IsNotFound(probe.status()) ? absl::OkStatus()
                                                          : probe.status();
  }

 private:
  void Prepare(grpc::ClientContext* context) const {
    context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
    for (const auto& [name, value] : metadata_) {
      context->AddMetadata(name, value);
    }
  }

  v1::UserService::Stub* stub_;
  const Metadata metadata_;
};

Metadata CallMetadata(const HttpRequest& request, Metadata extra) {
  for (const char* name : kPassedHeaders) {
    const std::string value = request.Header(name);
    if (!value.empty()) extra.emplace_back(name, value);
  }
  return extra;
}

// Serializes this process's read-modify-writes of a user: membership is
// read, changed and written back whole, so two concurrent PATCHes of
// different groups of one user must not lose one. Striped by user id;
// replicas do not share it (UserService has no compare-and-set).
class UserLocks {
 public:
  class Held {
   public:
    Held(UserLocks& locks, const std::vector<std::string>& user_ids)
        ABSL_NO_THREAD_SAFETY_ANALYSIS {
      std::vector<size_t> stripes;
      for (const std::string& id : user_ids) {
        stripes.push_back(std::hash<std::string>()(id) % kStripes);
      }
      // One order for every holder: no deadlock between two requests.
      std::sort(stripes.begin(), stripes.end());
      stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
      for (size_t stripe : stripes) {
        locks.stripes_[stripe].Lock();
        held_.push_back(&locks.stripes_[stripe]);
      }
    }
    ~Held() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      for (auto it = held_.rbegin(); it != held_.rend(); ++it) (*it)->Unlock();
    }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

   private:
    std::vector<absl::Mutex*> held_;
  };

 private:
  static constexpr size_t kStripes = 64;
  absl::Mutex stripes_[kStripes];
};

// ---- Users ----

// What a request sets on a user; nullopt leaves the attribute as it is.
struct UserChange {
  std::optional<std::string> display_name;
  std::optional<std::string> manager_id;
  std::optional<std::vector<std::string>> groups;
  std::optional<bool> active;
};

// The fields UpsertUser takes (the others are output only).
v1::User RecordOf(const v1::User& user) {
  v1::User record;
  record.set_user_id(user.user_id());
  record.set_display_name(user.display_name());
  *record.mutable_groups() = user.groups();
  record.set_manager_id(user.manager_id());
  return record;
}

// A User resource of POST or PUT: every attribute it sets. `user_id` is
// the id in the path ("" for POST), which the body may repeat but not
// change.
absl::StatusOr<std::pair<std::string, UserChange>> ParseUserResource(
    const Struct& body, const std::string& user_id) {
  if (auto s = CheckSchemas(body, kUserSchema); !s.ok()) return s;
  absl::StatusOr<std::string> user_name =
      TextOf(Attr(body, "userName"), "userName");
  if (!user_name.ok()) return user_name.status();
  if (!user_id.empty()) {
    absl::StatusOr<std::string> id = TextOf(Attr(body, "id"), "id");
    if (!id.ok()) return id.status();
    for (const std::string* given : {&*user_name, &*id}) {
      if (!given->empty() && *given != user_id) {
        return Mutability(
            absl::StrCat(given == &*id ? "id" : "userName",
                         ": is the Plaudit user_id and cannot change from ",
                         user_id, " to ", *given));
      }
    }
  } else if (user_name->empty()) {
    return InvalidValue(
        "userName: is required (it becomes the Plaudit user_id)");
  }
  UserChange change;
  absl::StatusOr<std::string> display = DisplayNameOf(body);
  if (!display.ok()) return display.status();
  change.display_name = *display;
  change.manager_id = "";
  if (const Value* ext = Attr(body, kEnterpriseSchema); !IsNull(ext)) {
    if (ext->kind_case() != Value::kStructValue) {
      return InvalidValue(
          absl::StrCat(kEnterpriseSchema, ": must be an object"));
    }
    absl::StatusOr<std::string> manager =
        ManagerOf(Attr(ext->struct_value(), "manager"));
    if (!manager.ok()) return manager.status();
    change.manager_id = *manager;
  }
  if (const Value* active = Attr(body, "active"); !IsNull(active)) {
    absl::StatusOr<bool> flag = ActiveOf(*active);
    if (!flag.ok()) return flag.status();
    change.active = *flag;
  }
  if (const Value* groups = Attr(body, "groups"); !IsNull(groups)) {
    absl::StatusOr<std::vector<std::string>> list = GroupsOf(*groups);
    if (!list.ok()) return list.status();
    change.groups = *std::move(list);
  }
  return std::pair{user_id.empty() ? *user_name : user_id, std::move(change)};
}

// One entry of a PatchOp's "Operations" (RFC 7644 §3.5.2).
struct PatchOperation {
  std::string op;    // "add", "replace" or "remove" (clients vary the case)
  std::string path;  // "" when none
  const Value* value = nullptr;  // into the body; nullptr when absent
};

absl::StatusOr<std::vector<PatchOperation>> ParsePatch(const Struct& body) {
  if (auto s = CheckSchemas(body, kPatchSchema); !s.ok()) return s;
  const Value* operations = Attr(body, "Operations");
  if (IsNull(operations) || operations->kind_case() != Value::kListValue ||
      operations->list_value().values_size() == 0) {
    return InvalidSyntax(
        "Operations: must be a non-empty array of {op, path, value}");
  }
  std::vector<PatchOperation> parsed;
  for (int i = 0; i < operations->list_value().values_size(); ++i) {
    const Value& item = operations->list_value().values(i);
    const std::string at = absl::StrCat("Operations[", i, "]");
    if (item.kind_case() != Value::kStructValue) {
      return InvalidSyntax(absl::StrCat(at, ": must be an object"));
    }
    const Struct& fields = item.struct_value();
    absl::StatusOr<std::string> op = TextOf(Attr(fields, "op"), at + ".op");
    absl::StatusOr<std::string> path =
        TextOf(Attr(fields, "path"), at + ".path");
    if (!op.ok()) return InvalidSyntax(op.status().message());
    if (!path.ok()) return InvalidSyntax(path.status().message());
    PatchOperation operation{absl::AsciiStrToLower(*op), *path,
                             Attr(fields, "value")};
    if (operation.op != "add" && operation.op != "replace" &&
        operation.op != "remove") {
      return InvalidSyntax(absl::StrCat(
          at, ".op: must be add, replace or remove, got \"", *op, "\""));
    }
    if (operation.op != "remove" && IsNull(operation.value)) {
      return InvalidValue(
          absl::StrCat(at, ".value: is required for add and replace"));
    }
    if (operation.op == "remove" && operation.path.empty()) {
      return NoTarget(absl::StrCat(at, ".path: is required for remove"));
    }
    parsed.push_back(std::move(operation));
  }
  return parsed;
}

// The attribute at `path` as one operation sets it on `change`.
absl::Status PatchUserAttribute(const std::string& op, absl::string_view path,
                                const Value* value, const std::string& user_id,
                                UserChange* change) {
  const bool remove = op == "remove";
  const std::string name = AttributePath(path, kUserSchema);
  const std::string enterprise = absl::AsciiStrToLower(kEnterpriseSchema);
  if (name == "active") {
    if (remove) {
      return InvalidValue(
          "active: cannot be removed; replace it with true or false");
    }
    absl::StatusOr<bool> active = ActiveOf(*value);
    if (!active.ok()) return active.status();
    change->active = *active;
  } else if (name == "displayname" || name == "name.formatted") {
    absl::StatusOr<std::string> text = TextOf(remove ? nullptr : value, path);
    if (!text.ok()) return text.status();
    change->display_name = *text;
  } else if (name == "name" && !remove &&
             value->kind_case() == Value::kStructValue) {
    const Value* formatted = Attr(value->struct_value(), "formatted");
    if (formatted == nullptr) return absl::OkStatus();
    return PatchUserAttribute(op, "name.formatted", formatted, user_id, change);
  } else if (name == enterprise && !remove &&
             value->kind_case() == Value::kStructValue) {
    for (const auto& [key, sub] : value->struct_value().fields()) {
      const std::string sub_path = absl::StrCat(kEnterpriseSchema, ":", key);
      if (auto s = PatchUserAttribute(op, sub_path, &sub, user_id, change);
          !s.ok()) {
        return s;
      }
    }
  } else if (name == enterprise + ":manager" ||
             name == enterprise + ":manager.value") {
    absl::StatusOr<std::string> manager = ManagerOf(remove ? nullptr : value);
    if (!manager.ok()) return manager.status();
    change->manager_id = *manager;
  } else if (name == "username" || name == "id") {
    if (remove || value->string_value() != user_id) {
      return Mutability(absl::StrCat(path, ": is the Plaudit user_id (",
                                     user_id, ") and cannot change"));
    }
  } else if (name == "groups" || absl::StartsWith(name, "groups[") ||
             absl::StartsWith(name, "groups.")) {
    return Mutability(
        "groups: read-only on a User (RFC 7643 §4.1.2); change membership with "
        "PATCH /scim/v2/Groups/<group>");
  }
  // Anything else is an attribute Plaudit does not keep: dropped.
  return absl::OkStatus();
}

// The change a PatchOp makes, checked whole before anything is called.
absl::StatusOr<UserChange> ParseUserPatch(const Struct& body,
                                          const std::string& user_id) {
  absl::StatusOr<std::vector<PatchOperation>> operations = ParsePatch(body);
  if (!operations.ok()) return operations.status();
  UserChange change;
  for (const PatchOperation& operation : *operations) {
    if (!operation.path.empty()) {
      if (auto s = PatchUserAttribute(operation.op, operation.path,
                                      operation.value, user_id, &change);
          !s.ok()) {
        return s;
      }
      continue;
    }
    // No path: the value holds attributes (RFC 7644 §3.5.2.1/.3), keyed
    // by name or, as Azure AD sends them, by path.
    if (operation.value->kind_case() != Value::kStructValue) {
      return InvalidValue(
          "value: must be an object of attributes when the operation has no "
          "path");
    }
    for (const auto& [key, value] : operation.value->struct_value().fields()) {
      if (auto s =
              PatchUserAttribute(operation.op, key, &value, user_id, &change);
          !s.ok()) {
        return s;
      }
    }
  }
  return change;
}

// Writes what `change` makes of `current`: the record first, so that
// refusals such as MANAGER_LOOP come before a deactivation (which settles
// the balance), then the (de)activation.
absl::StatusOr<v1::User> Save(Directory& users, const v1::User& current,
                              const UserChange& change) {
  v1::User record = RecordOf(current);
  if (change.display_name) record.set_display_name(*change.display_name);
  if (change.manager_id) record.set_manager_id(*change.manager_id);
  if (change.groups) {
    record.mutable_groups()->Clear();
    for (const std::string& group : *change.groups) record.add_groups(group);
  }
  const bool rewrite =
      record.SerializeAsString() != RecordOf(current).SerializeAsString();
  absl::StatusOr<v1::User> saved = rewrite ? users.Upsert(record) : current;
  if (!saved.ok()) return saved.status();
  // active true on a deactivated user, or false on an active one.
  if (!change.active || *change.active != saved->deactivated()) return saved;
  absl::StatusOr<v1::User> toggled = *change.active
                                         ? users.Reactivate(current.user_id())
                                         : users.Deactivate(current.user_id());
  if (!toggled.ok() && rewrite) {
    return Reworded(toggled.status(),
                    absl::StrCat("the other attributes were saved, but: ",
                                 toggled.status().message()));
  }
  return toggled;
}

absl::StatusOr<HttpResponse> CreateUser(Directory& users, UserLocks& locks,
                                        const HttpRequest& request) {
  absl::StatusOr<Struct> body = ParseBody(request.body);
  if (!body.ok()) return body.status();
  auto parsed = ParseUserResource(*body, "");
  if (!parsed.ok()) return parsed.status();
  const auto& [user_id, change] = *parsed;
  UserLocks::Held held(locks, {user_id});
  absl::StatusOr<v1::User> existing = users.Get(user_id);
  if (existing.ok()) {
    return ScimFault(absl::StatusCode::kAlreadyExists, "uniqueness",
                     absl::StrCat("userName: user ", user_id,
                                  " exists already; PUT or PATCH ",
                                  Location("Users", user_id)));
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  v1::User record;
  record.set_user_id(user_id);
  record.set_display_name(*change.display_name);
  record.set_manager_id(*change.manager_id);
  for (const std::string& group :
       change.groups.value_or(std::vector<std::string>())) {
    record.add_groups(group);
  }
  absl::StatusOr<v1::User> created = users.Upsert(record);
  if (!created.ok()) return created.status();
  if (change.active == false) {
    created = users.Deactivate(user_id);
    if (!created.ok()) {
      return Reworded(
          created.status(),
          absl::StrCat("user ", user_id, " was created active, but: ",
                       created.status().message()));
    }
  }
  return Created(UserResource(*created), Location("Users", user_id));
}

absl::StatusOr<HttpResponse> GetUser(Directory& users,
                                     const std::string& user_id) {
  absl::StatusOr<v1::User> user = users.Get(user_id);
  if (!user.ok()) return user.status();
  return ScimAnswer(200, UserResource(*user));
}

absl::StatusOr<HttpResponse> ListUsers(Directory& users,
                                       absl::string_view query) {
  absl::StatusOr<EqualityFilter> filter =
      ListFilter(query, kUserSchema, "userName eq \"<id>\" (or id eq)",
                 {"username", "id"});
  if (!filter.ok()) return filter.status();
  std::vector<Struct> matches;
  absl::StatusOr<v1::User> user = users.Get(filter->value);
  if (user.ok()) {
    matches.push_back(UserResource(*user));
  } else if (!absl::IsNotFound(user.status()) &&
             !absl::IsInvalidArgument(user.status())) {
    // (An id that Plaudit refuses matches no one: 0 results.)
    return user.status();
  }
  return ListAnswer(query, std::move(matches));
}

absl::StatusOr<HttpResponse> ReplaceUser(Directory& users, UserLocks& locks,
                                         const HttpRequest& request,
                                         const std::string& user_id) {
  absl::StatusOr<Struct> body = ParseBody(request.body);
  if (!body.ok()) return body.status();
  auto parsed = ParseUserResource(*body, user_id);
  if (!parsed.ok()) return parsed.status();
  UserLocks::Held held(locks, {user_id});
  absl::StatusOr<v1::User> current = users.Get(user_id);
  if (!current.ok()) return current.status();
  absl::StatusOr<v1::User> saved = Save(users, *current, parsed->second);
  if (!saved.ok()) return saved.status();
  return ScimAnswer(200, UserResource(*saved));
}

absl::StatusOr<HttpResponse> PatchUser(Directory& users, UserLocks& locks,
                                       const HttpRequest& request,
                                       const std::string& user_id) {
  absl::StatusOr<Struct> body = ParseBody(request.body);
  if (!body.ok()) return body.status();
  absl::StatusOr<UserChange> change = ParseUserPatch(*body, user_id);
  if (!change.ok()) return change.status();
  UserLocks::Held held(locks, {user_id});
  absl::StatusOr<v1::User> current = users.Get(user_id);
  if (!current.ok()) return current.status();
  absl::StatusOr<v1::User> saved = Save(users, *current, *change);
  if (!saved.ok()) return saved.status();
  return ScimAnswer(200, UserResource(*saved));
}

// Deprovisioning is idempotent: a user deactivated already is 204 too.
absl::StatusOr<HttpResponse> DeleteUser(Directory& users, UserLocks& locks,
                                        const std::string& user_id) {
  UserLocks::Held held(locks, {user_id});
  absl::StatusOr<v1::User> left = users.Deactivate(user_id);
  if (!left.ok() && ErrorReason(left.status()) != "ALREADY_DEACTIVATED") {
    return left.status();
  }
  return NoContent();
}

// ---- Groups ----

// Member -> true to add the group, false to remove it (the last op wins).
using MembershipChange = std::map<std::string, bool>;

absl::Status CheckGroupName(const Value* value, const std::string& group) {
  absl::StatusOr<std::string> name = TextOf(value, "displayName");
  if (!name.ok()) return name.status();
  if (*name != group) {
    return Mutability(absl::StrCat(
        "displayName: a Plaudit group is named by its id (", group,
        ") and cannot be renamed; create the new group and move the members"));
  }
  return absl::OkStatus();
}

// `members[value eq "ann"]` -> "ann".
absl::StatusOr<std::string> FilteredMember(absl::string_view path) {
  absl::string_view inner = path.substr(sizeof("members[") - 1);
  if (!absl::ConsumeSuffix(&inner, "]")) {
    return InvalidPath(absl::StrCat("path: ", path.substr(0, 64),
                                    " is not members[value eq \"<id>\"]"));
  }
  absl::StatusOr<EqualityFilter> filter =
      ParseEqualityFilter(inner, "", "members[value eq \"<id>\"]");
  if (!filter.ok() || filter->attribute != "value") {
    return InvalidPath(absl::StrCat("path: ", path.substr(0, 64),
                                    " is not members[value eq \"<id>\"]"));
  }
  return filter->value;
}

absl::Status PatchMembers(const PatchOperation& operation, const Value* value,
                          MembershipChange* change) {
  if (operation.op == "replace") {
    return InvalidValue(
        "members: replacing the whole member list is not supported (Plaudit "
        "cannot list a group's members); use add and remove");
  }
  if (IsNull(value)) {
    return InvalidValue(
        "members: removing every member is not supported (Plaudit cannot list "
        "a group's members); remove them by value");
  }
  absl::StatusOr<std::vector<std::string>> members = MembersOf(*value);
  if (!members.ok()) return members.status();
  for (const std::string& id : *members) (*change)[id] = operation.op == "add";
  return absl::OkStatus();
}

absl::Status PatchGroupAttribute(const PatchOperation& operation,
                                 absl::string_view path, const Value* value,
                                 const std::string& group,
                                 MembershipChange* change) {
  const std::string name = AttributePath(path, kGroupSchema);
  if (name == "members") return PatchMembers(operation, value, change);
  if (absl::StartsWith(name, "members[")) {
    if (operation.op != "remove") {
      return InvalidPath(
          "members[...]: a filtered path is supported for remove only");
    }
    // The path as sent (the id keeps its case), without a schema prefix.
    absl::StatusOr<std::string> member =
        FilteredMember(path.substr(path.size() - name.size()));
    if (!member.ok()) return member.status();
    (*change)[*member] = false;
    return absl::OkStatus();
  }
  if (name == "displayname" || name == "id") {
    if (operation.op == "remove") {
      return Mutability(absl::StrCat(path, ": cannot be removed"));
    }
    return CheckGroupName(value, group);
  }
  return absl::OkStatus();  // externalId and the like: not kept
}

absl::StatusOr<MembershipChange> ParseGroupPatch(const Struct& body,
                                                 const std::string& group) {
  absl::StatusOr<std::vector<PatchOperation>> operations = ParsePatch(body);
  if (!operations.ok()) return operations.status();
  MembershipChange change;
  for (const PatchOperation& operation : *operations) {
    if (!operation.path.empty()) {
      if (auto s = PatchGroupAttribute(operation, operation.path,
                                       operation.value, group, &change);
          !s.ok()) {
        return s;
      }
      continue;
    }
    if (operation.value->kind_case() != Value::kStructValue) {
      return InvalidValue(
          "value: must be an object of attributes when the operation has no "
          "path");
    }
    for (const auto& [key, value] : operation.value->struct_value().fields()) {
      if (auto s = PatchGroupAttribute(operation, key, &value, group, &change);
          !s.ok()) {
        return s;
      }
    }
  }
  if (change.size() > kMaxMembersPerRequest) {
    return InvalidValue(absl::StrCat("members: at most ", kMaxMembersPerRequest,
                                     " changes per request"));
  }
  return change;
}

// ImportUsers names users by index ("users[3].groups: ..."): name the
// member instead.
absl::Status NamedMember(const absl::Status& status,
                         const std::vector<v1::User>& batch) {
  absl::string_view message = status.message();
  if (!absl::ConsumePrefix(&message, "users[")) return status;
  const size_t close = message.find(']');
  size_t index = 0;
  if (close == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(0, close), &index) ||
      index >= batch.size()) {
    return status;
  }
  return Reworded(status, absl::StrCat("members: user ", batch[index].user_id(),
                                       ": user", message.substr(close + 1)));
}

// Adds `group` to or removes it from each member's groups: every member
// read first, then all written in one ImportUsers, so that a refusal (an
// unknown member, too many groups, an erased user) changes nothing.
absl::Status ChangeMembership(Directory& users, UserLocks& locks,
                              const std::string& group,
                              const MembershipChange& change) {
  if (change.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const auto& [id, add] : change) ids.push_back(id);
  UserLocks::Held held(locks, ids);
  std::vector<v1::User> batch;
  for (const auto& [id, add] : change) {
    absl::StatusOr<v1::User> user = users.Get(id);
    if (absl::IsNotFound(user.status()) && !add) continue;  // not a member
    if (absl::IsNotFound(user.status())) {
      return InvalidValue(
          absl::StrCat("members: user ", id,
                       " not found; create it first (POST /scim/v2/Users)"));
    }
    if (!user.ok()) return user.status();
    v1::User record = RecordOf(*user);
    auto* groups = record.mutable_groups();
    const auto it = std::find(groups->begin(), groups->end(), group);
    if (add == (it != groups->end())) continue;  // already so
    if (add) {
      record.add_groups(group);
    } else {
      groups->erase(it);
    }
    batch.push_back(std::move(record));
  }
  if (batch.empty()) return absl::OkStatus();
  const absl::Status imported = users.Import(batch);
  return imported.ok() ? imported : NamedMember(imported, batch);
}

// A group in a path or body: 404 (path) or 400 (body) unless valid.
absl::Status CheckGroupId(const std::string& group, bool in_path) {
  const absl::Status valid = ValidateGroup("displayName", group);
  if (valid.ok()) return valid;
  if (in_path) {
    return absl::NotFoundError(absl::StrCat(
        "group ", group,
        " not found: Plaudit groups look like <kind>:<name>, e.g. dept:sales"));
  }
  return InvalidValue(valid.message());
}

absl::StatusOr<HttpResponse> GetGroup(Directory& users,
                                      const std::string& group) {
  if (auto s = CheckGroupId(group, true); !s.ok()) return s;
  if (auto s = users.Authorize(); !s.ok()) return s;
  return ScimAnswer(200, GroupResource(group));
}

absl::StatusOr<HttpResponse> ListGroups(Directory& users,
                                        absl::string_view query) {
  absl::StatusOr<EqualityFilter> filter =
      ListFilter(query, kGroupSchema, "displayName eq \"<group>\" (or id eq)",
                 {"displayname", "id"});
  if (!filter.ok()) return filter.status();
  if (auto s = users.Authorize(); !s.ok()) return s;
  std::vector<Struct> matches;
  if (CheckGroupId(filter->value, true).ok()) {
    matches.push_back(GroupResource(filter->value));
  }
  return ListAnswer(query, std::move(matches));
}

absl::StatusOr<HttpResponse> CreateGroup(Directory& users, UserLocks& locks,
                                         const HttpRequest& request) {
  absl::StatusOr<Struct> body = ParseBody(request.body);
  if (!body.ok()) return body.status();
  if (auto s = CheckSchemas(*body, kGroupSchema); !s.ok()) return s;
  absl::StatusOr<std::string> group =
      TextOf(Attr(*body, "displayName"), "displayName");
  if (!group.ok()) return group.status();
  if (group->empty()) {
    return InvalidValue(
        "displayName: is required (a Plaudit group such as dept:sales)");
  }
  if (auto s = CheckGroupId(*group, false); !s.ok()) return s;
  MembershipChange change;
  if (const Value* members = Attr(*body, "members"); !IsNull(members)) {
    absl::StatusOr<std::vector<std::string>> ids = MembersOf(*members);
    if (!ids.ok()) return ids.status();
    if (ids->size() > kMaxMembersPerRequest) {
      return InvalidValue(absl::StrCat("members: at most ",
                                       kMaxMembersPerRequest, " per request"));
    }
    for (const std::string& id : *ids) change[id] = true;
  }
  // Nothing to write for an empty group, but the key must still be one
  // that may sync users.
  if (auto s = change.empty() ? users.Authorize()
                              : ChangeMembership(users, locks, *group, change);
      !s.ok()) {
    return s;
  }
  return Created(GroupResource(*group), Location("Groups", *group));
}

absl::StatusOr<HttpResponse> PatchGroup(Directory& users, UserLocks& locks,
                                        const HttpRequest& request,
                                        const std::string& group) {
  if (auto s = CheckGroupId(group, true); !s.ok()) return s;
  absl::StatusOr<Struct> body = ParseBody(request.body);
  if (!body.ok()) return body.status();
  absl::StatusOr<MembershipChange> change = ParseGroupPatch(*body, group);
  if (!change.ok()) return change.status();
  if (auto s = change->empty() ? users.Authorize()
                               : ChangeMembership(users, locks, group, *change);
      !s.ok()) {
    return s;
  }
  return NoContent();
}

// ---- Discovery (RFC 7644 §4) ----

Struct ServiceProviderConfig() {
  auto supported = [](bool yes) {
    Struct feature;
    Put(&feature, "supported", Flag(yes));
    return feature;
  };
  Struct config;
  Put(&config, "schemas",
      List({Text(
          "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig")}));
  Put(&config, "patch", Object(supported(true)));
  Struct bulk = supported(false);
  Put(&bulk, "maxOperations", Number(0));
  Put(&bulk, "maxPayloadSize", Number(0));
  Put(&config, "bulk", Object(std::move(bulk)));
  Struct filter = supported(true);
  Put(&filter, "maxResults", Number(1));
  Put(&config, "filter", Object(std::move(filter)));
  Put(&config, "changePassword", Object(supported(false)));
  Put(&config, "sort", Object(supported(false)));
  Put(&config, "etag", Object(supported(false)));
  Struct bearer;
  Put(&bearer, "type", Text("oauthbearertoken"));
  Put(&bearer, "name", Text("OAuth Bearer Token"));
  Put(&bearer, "description",
      Text("A Plaudit API key of the tenant: Authorization: Bearer plk.... "
           "Integration keys sync users and groups; deprovisioning (DELETE, "
           "active false) needs an admin key."));
  Put(&bearer, "specUri", Text("https://www.rfc-editor.org/info/rfc6750"));
  Put(&bearer, "primary", Flag(true));
  Put(&config, "authenticationSchemes", List({Object(std::move(bearer))}));
  Put(&config, "meta",
      Object(Meta("ServiceProviderConfig",
                  absl::StrCat(kBase, "ServiceProviderConfig"))));
  return config;
}

// One attribute of a schema (RFC 7643 §7).
Value Attribute(absl::string_view name, absl::string_view type,
                absl::string_view mutability, bool required = false,
                bool multi = false, std::vector<Value> sub = {}) {
  Struct attribute;
  Put(&attribute, "name", Text(name));
  Put(&attribute, "type", Text(type));
  Put(&attribute, "multiValued", Flag(multi));
  Put(&attribute, "required", Flag(required));
  Put(&attribute, "caseExact", Flag(true));
  Put(&attribute, "mutability", Text(mutability));
  Put(&attribute, "returned", Text(name == "members" ? "never" : "default"));
  Put(&attribute, "uniqueness", Text(name == "userName" ? "server" : "none"));
  if (!sub.empty()) Put(&attribute, "subAttributes", List(std::move(sub)));
  return Object(std::move(attribute));
}

Struct Schema(absl::string_view id, absl::string_view name,
              std::vector<Value> attributes) {
  Struct schema;
  Put(&schema, "schemas",
      List({Text("urn:ietf:params:scim:schemas:core:2.0:Schema")}));
  Put(&schema, "id", Text(id));
  Put(&schema, "name", Text(name));
  Put(&schema, "attributes", List(std::move(attributes)));
  Put(&schema, "meta",
      Object(Meta("Schema", absl::StrCat(kBase, "Schemas/", id))));
  return schema;
}

std::vector<Struct> Schemas() {
  auto reference = [](absl::string_view mutability) {
    return std::vector<Value>{Attribute("value", "string", mutability),
                              Attribute("$ref", "reference", "readOnly"),
                              Attribute("display", "string", "readOnly")};
  };
  return {
      Schema(kUserSchema, "User",
             {Attribute("userName", "string", "immutable", true),
              Attribute("displayName", "string", "readWrite"),
              Attribute("name", "complex", "readWrite", false, false,
                        {Attribute("formatted", "string", "readWrite")}),
              Attribute("active", "boolean", "readWrite"),
              Attribute("groups", "complex", "readOnly", false, true,
                        reference("readOnly"))}),
      Schema(kEnterpriseSchema, "EnterpriseUser",
             {Attribute("manager", "complex", "readWrite", false, false,
                        reference("readWrite"))}),
      Schema(kGroupSchema, "Group",
             {Attribute("displayName", "string", "immutable", true),
              Attribute("members", "complex", "readWrite", false, true,
                        reference("immutable"))}),
  };
}

Struct ResourceType(absl::string_view name, absl::string_view schema,
                    bool enterprise) {
  Struct type;
  Put(&type, "schemas",
      List({Text("urn:ietf:params:scim:schemas:core:2.0:ResourceType")}));
  Put(&type, "id", Text(name));
  Put(&type, "name", Text(name));
  Put(&type, "endpoint", Text(absl::StrCat("/", name, "s")));
  Put(&type, "schema", Text(schema));
  if (enterprise) {
    Struct extension;
    Put(&extension, "schema", Text(kEnterpriseSchema));
    Put(&extension, "required", Flag(false));
    Put(&type, "schemaExtensions", List({Object(std::move(extension))}));
  }
  Put(&type, "meta",
      Object(
          Meta("ResourceType", absl::StrCat(kBase, "ResourceTypes/", name))));
  return type;
}

std::vector<Struct> ResourceTypes() {
  return {ResourceType("User", kUserSchema, true),
          ResourceType("Group", kGroupSchema, false)};
}

// All of `documents`, or the one whose id is `id`.
absl::StatusOr<HttpResponse> Discovery(std::vector<Struct> documents,
                                       const std::string& id,
                                       absl::string_view query) {
  absl::StatusOr<std::optional<std::string>> filter =
      QueryParam(query, "filter");
  if (!filter.ok()) return filter.status();
  if (filter->has_value()) {  // RFC 7644 §4: a filter here is 403
    return absl::PermissionDeniedError(
        "filter: not supported on discovery endpoints");
  }
  if (id.empty()) return ListAnswer("", std::move(documents));
  for (const Struct& document : documents) {
    if (document.fields().at("id").string_value() == id) {
      return ScimAnswer(200, document);
    }
  }
  return absl::NotFoundError(absl::StrCat(id, " not found"));
}

// ---- Routing ----

HttpResponse MethodNotAllowed(const std::string& method,
                              absl::string_view allowed) {
  HttpResponse response =
      ErrorResponse(405, "", absl::StrCat(method, " is not allowed here"));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

absl::Status Unsupported(absl::string_view what) {
  return absl::UnimplementedError(
      absl::StrCat(what, " is not supported by Plaudit's SCIM service"));
}

// RFC 7644 §3.1: application/scim+json; plain JSON is widely sent.
bool AcceptedBody(const HttpRequest& request) {
  const std::string type = request.Header("content-type");
  return request.body.empty() || type.empty() ||
         absl::StartsWithIgnoreCase(type, "application/scim+json") ||
         absl::StartsWithIgnoreCase(type, "application/json");
}

// A worker pool for the blocking UserService calls, so that no SCIM
// request ever waits on the HTTP server's IO threads. Bounded: beyond
// kMaxQueuedRequests waiting requests, new ones are turned away (503).
class ScimWorkers {
 public:
  explicit ScimWorkers(int threads) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  // Finishes what is queued (calls fail fast once the server stopped).
  ~ScimWorkers() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (std::thread& thread : threads_) thread.join();
  }

  bool Submit(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    if (stopping_ || queue_.size() >= kMaxQueuedRequests) return false;
    queue_.push_back(std::move(task));
    return true;
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &ScimWorkers::Ready));
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queue_.empty();
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace

struct ScimHandler::Impl {
  explicit Impl(std::shared_ptr<grpc::Channel> channel)
      : stub(v1::UserService::NewStub(channel)) {}

  HttpResponse Serve(const HttpRequest& request, Metadata metadata) {
    absl::StatusOr<HttpResponse> response = Route(request, metadata);
    return response.ok() ? *std::move(response)
                         : ErrorResponse(response.status());
  }

  absl::StatusOr<HttpResponse> Route(const HttpRequest& request,
                                     Metadata& metadata);
  absl::StatusOr<HttpResponse> Users(const HttpRequest& request,
                                     Directory& users, const std::string& id,
                                     absl::string_view query);
  absl::StatusOr<HttpResponse> Groups(const HttpRequest& request,
                                      Directory& users, const std::string& id,
                                      absl::string_view query);

  std::unique_ptr<v1::UserService::Stub> stub;
  UserLocks locks;
  ScimWorkers workers{kWorkerThreads};  // last: joined before the rest goes
};

absl::StatusOr<HttpResponse> ScimHandler::Impl::Route(
    const HttpRequest& request, Metadata& metadata) {
  const size_t question = request.target.find('?');
  const absl::string_view target(request.target);
  const absl::string_view query =
      question == std::string::npos ? "" : target.substr(question + 1);
  absl::string_view path = target.substr(0, question);
  absl::ConsumePrefix(&path, kBase);
  const std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(path, absl::MaxSplits('/', 1));
  absl::StatusOr<std::string> id = PercentDecoded(parts.second, false);
  if (!id.ok()) return id.status();
  if (absl::StrContains(parts.second, '/')) {
    return absl::NotFoundError(absl::StrCat(request.target, " not found"));
  }
  if (!AcceptedBody(request)) {
    return ErrorResponse(415, "",
                         "Content-Type: the body must be application/scim+json "
                         "or application/json");
  }
  const absl::string_view resource = parts.first;
  Directory users(stub.get(), CallMetadata(request, std::move(metadata)));
  if (resource == "Users") return Users(request, users, *id, query);
  if (resource == "Groups") return Groups(request, users, *id, query);
  std::vector<Struct> documents;
  if (resource == "ServiceProviderConfig" && id->empty()) {
    documents = {ServiceProviderConfig()};
  } else if (resource == "Schemas") {
    documents = Schemas();
  } else if (resource == "ResourceTypes") {
    documents = ResourceTypes();
  } else if (resource == "Bulk" || resource == "Me") {
    return Unsupported(absl::StrCat("/scim/v2/", resource));
  } else {
    return absl::NotFoundError(absl::StrCat(
        request.target.substr(0, question),
        " not found: SCIM serves /scim/v2/Users and /scim/v2/Groups"));
  }
  if (request.method != "GET") return MethodNotAllowed(request.method, "GET");
  if (resource == "ServiceProviderConfig") {
    return ScimAnswer(200, documents.front());
  }
  return Discovery(std::move(documents), *id, query);
}

absl::StatusOr<HttpResponse> ScimHandler::Impl::Users(
    const HttpRequest& request, Directory& users, const std::string& id,
    absl::string_view query) {
  const std::string& method = request.method;
  if (id.empty()) {
    if (method == "GET") return ListUsers(users, query);
    if (method == "POST") return CreateUser(users, locks, request);
    return MethodNotAllowed(method, "GET, POST");
  }
  if (method == "GET") return GetUser(users, id);
  if (method == "PUT") return ReplaceUser(users, locks, request, id);
  if (method == "PATCH") return PatchUser(users, locks, request, id);
  if (method == "DELETE") return DeleteUser(users, locks, id);
  return MethodNotAllowed(method, "GET, PUT, PATCH, DELETE");
}

absl::StatusOr<HttpResponse> ScimHandler::Impl::Groups(
    const HttpRequest& request, Directory& users, const std::string& id,
    absl::string_view query) {
  const std::string& method = request.method;
  if (id.empty()) {
    if (method == "GET") return ListGroups(users, query);
    if (method == "POST") return CreateGroup(users, locks, request);
    return MethodNotAllowed(method, "GET, POST");
  }
  if (method == "GET") return GetGroup(users, id);
  if (method == "PATCH") return PatchGroup(users, locks, request, id);
  // Both need the member list, which Plaudit cannot list.
  if (method == "PUT") return Unsupported("PUT of a Group (use PATCH)");
  if (method == "DELETE") {
    return Unsupported("DELETE of a Group (remove its members with PATCH)");
  }
  return MethodNotAllowed(method, "GET, PATCH");
}

ScimHandler::ScimHandler(std::shared_ptr<grpc::Channel> channel)
    : impl_(new Impl(std::move(channel))) {}
ScimHandler::~ScimHandler() = default;

void ScimHandler::Handle(
    HttpRequest request,
    std::vector<std::pair<std::string, std::string>> extra_metadata,
    std::function<void(HttpResponse)> respond) {
  auto answer =
      std::make_shared<std::function<void(HttpResponse)>>(std::move(respond));
  Impl* impl = impl_.get();
  const bool queued =
      impl->workers.Submit([impl, answer, request = std::move(request),
                            metadata = std::move(extra_metadata)]() mutable {
        (*answer)(impl->Serve(request, std::move(metadata)));
      });
  if (!queued) {
    HttpResponse busy =
        ErrorResponse(503, "", "too many SCIM requests in flight; retry");
    busy.headers.emplace_back("Retry-After", "1");
    (*answer)(std::move(busy));
  }
}

}  // namespace plaudit
