// SCIM resources and messages: the mapping is described in
// scim_resource.h.
#include "services/scim/scim_resource.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit::scim {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kListSchema[] =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";
constexpr char kPatchSchema[] = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
constexpr char kErrorSchema[] = "urn:ietf:params:scim:api:messages:2.0:Error";
constexpr char kScimJson[] = "application/scim+json";
constexpr size_t kMaxMembersPerRequest = 10'000;  // ImportUsers' limit

// ---- Errors (RFC 7644 §3.12) ----

// An error's scimType rides on the absl::Status until ErrorResponse.
constexpr char kScimTypePayload[] = "type.plaudit.dev/scim.scimType";

}  // namespace

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

absl::Status Reworded(const absl::Status& status, absl::string_view message) {
  absl::Status out(status.code(), message);
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

namespace {

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

}  // namespace

absl::Status FromGrpc(const grpc::Status& status, absl::string_view hint) {
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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

// ---- URLs ----

namespace {

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

}  // namespace

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

// ---- Users ----

v1::User RecordOf(const v1::User& user) {
  v1::User record;
  record.set_user_id(user.user_id());
  record.set_display_name(user.display_name());
  *record.mutable_groups() = user.groups();
  record.set_manager_id(user.manager_id());
  return record;
}

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

namespace {

// The attribute at `path` as one operation sets it on `change`.
// Calls `apply` for each attribute the operations name: an operation's
// path, or, for one without a path, each attribute of its value (RFC 7644
// §3.5.2.1/.3), keyed by name or, as Azure AD sends them, by path.
absl::Status ForEachPatchedAttribute(
    const std::vector<PatchOperation>& operations,
    const std::function<absl::Status(const PatchOperation&, absl::string_view,
                                     const Value*)>& apply) {
  for (const PatchOperation& operation : operations) {
    if (!operation.path.empty()) {
      if (auto s = apply(operation, operation.path, operation.value); !s.ok()) {
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
      if (auto s = apply(operation, key, &value); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

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

}  // namespace

absl::StatusOr<UserChange> ParseUserPatch(const Struct& body,
                                          const std::string& user_id) {
  absl::StatusOr<std::vector<PatchOperation>> operations = ParsePatch(body);
  if (!operations.ok()) return operations.status();
  UserChange change;
  if (auto s = ForEachPatchedAttribute(
          *operations,
          [&](const PatchOperation& operation, absl::string_view path,
              const Value* value) {
            return PatchUserAttribute(operation.op, path, value, user_id,
                                      &change);
          });
      !s.ok()) {
    return s;
  }
  return change;
}

// ---- Groups ----

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

namespace {

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

}  // namespace

absl::StatusOr<std::pair<std::string, MembershipChange>> ParseGroupResource(
    const Struct& body) {
  if (auto s = CheckSchemas(body, kGroupSchema); !s.ok()) return s;
  absl::StatusOr<std::string> group =
      TextOf(Attr(body, "displayName"), "displayName");
  if (!group.ok()) return group.status();
  if (group->empty()) {
    return InvalidValue(
        "displayName: is required (a Plaudit group such as dept:sales)");
  }
  if (auto s = CheckGroupId(*group, false); !s.ok()) return s;
  MembershipChange change;
  if (const Value* members = Attr(body, "members"); !IsNull(members)) {
    absl::StatusOr<std::vector<std::string>> ids = MembersOf(*members);
    if (!ids.ok()) return ids.status();
    if (ids->size() > kMaxMembersPerRequest) {
      return InvalidValue(absl::StrCat("members: at most ",
                                       kMaxMembersPerRequest, " per request"));
    }
    for (const std::string& id : *ids) change[id] = true;
  }
  return std::pair{*std::move(group), std::move(change)};
}

absl::StatusOr<MembershipChange> ParseGroupPatch(const Struct& body,
                                                 const std::string& group) {
  absl::StatusOr<std::vector<PatchOperation>> operations = ParsePatch(body);
  if (!operations.ok()) return operations.status();
  MembershipChange change;
  if (auto s = ForEachPatchedAttribute(
          *operations,
          [&](const PatchOperation& operation, absl::string_view path,
              const Value* value) {
            return PatchGroupAttribute(operation, path, value, group, &change);
          });
      !s.ok()) {
    return s;
  }
  if (change.size() > kMaxMembersPerRequest) {
    return InvalidValue(absl::StrCat("members: at most ", kMaxMembersPerRequest,
                                     " changes per request"));
  }
  return change;
}

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

}  // namespace plaudit::scim
