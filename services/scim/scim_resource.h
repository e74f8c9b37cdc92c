// SCIM 2.0 resources and messages (RFC 7643, RFC 7644) as Plaudit keeps
// them: User and Group JSON <-> plaudit.v1.User and group names, PatchOp
// and filter parsing, SCIM errors. Pure: no threads, no calls.
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
#ifndef PLAUDIT_SERVICES_SCIM_SCIM_RESOURCE_H_
#define PLAUDIT_SERVICES_SCIM_SCIM_RESOURCE_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "grpcpp/support/status.h"
#include "plaudit/v1/user_service.pb.h"
#include "services/http/http_server.h"

namespace plaudit::scim {

inline constexpr char kUserSchema[] =
    "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr char kGroupSchema[] =
    "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr char kEnterpriseSchema[] =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr char kBase[] = "/scim/v2/";

// ---- Errors (RFC 7644 §3.12) ----

// An error with its scimType ("" for none).
absl::Status ScimFault(absl::StatusCode code, absl::string_view scim_type,
                       absl::string_view detail);
// 400 errors by scimType.
absl::Status InvalidValue(absl::string_view detail);
absl::Status InvalidSyntax(absl::string_view detail);
absl::Status InvalidFilter(absl::string_view detail);
absl::Status InvalidPath(absl::string_view detail);
absl::Status Mutability(absl::string_view detail);
absl::Status NoTarget(absl::string_view detail);

// `status` with another message, its payloads (scimType, reason) kept.
absl::Status Reworded(const absl::Status& status, absl::string_view message);

// A failed call as SCIM reports it: the message (which names the field)
// with its stable reason; scimType invalidValue or uniqueness; `hint` for
// a refusal by role, saying which key would do.
absl::Status FromGrpc(const grpc::Status& status, absl::string_view hint = "");

HttpResponse ErrorResponse(int status, absl::string_view scim_type,
                           absl::string_view detail);
// The one place where an error becomes an answer.
HttpResponse ErrorResponse(const absl::Status& status);

// ---- JSON ----

google::protobuf::Value Text(absl::string_view text);
google::protobuf::Value Flag(bool flag);
google::protobuf::Value Number(double number);
google::protobuf::Value Object(google::protobuf::Struct object);
google::protobuf::Value List(std::vector<google::protobuf::Value> items);
void Put(google::protobuf::Struct* object, const std::string& name,
         google::protobuf::Value value);

// A request body: one JSON object, else invalidSyntax.
absl::StatusOr<google::protobuf::Struct> ParseBody(const std::string& body);

// ---- URLs ----

absl::StatusOr<std::string> PercentDecoded(absl::string_view text,
                                           bool plus_is_space);

// /scim/v2/<resource>/<percent-encoded id>.
std::string Location(absl::string_view resource, absl::string_view id);

// The decoded query parameter `name`; nullopt when absent.
absl::StatusOr<std::optional<std::string>> QueryParam(absl::string_view query,
                                                      absl::string_view name);

// ---- Filters ----

// The one filter there is a call for: `<attribute> eq "<value>"`.
struct EqualityFilter {
  std::string attribute;  // lower case, schema prefix removed
  std::string value;
};

// `usage` says in errors what would have been accepted.
absl::StatusOr<EqualityFilter> ParseEqualityFilter(absl::string_view text,
                                                   absl::string_view schema,
                                                   absl::string_view usage);

// The `filter` of a list request whose attribute is one of `attributes`.
absl::StatusOr<EqualityFilter> ListFilter(
    absl::string_view query, absl::string_view schema, absl::string_view usage,
    const std::vector<absl::string_view>& attributes);

// ---- Resources ----

google::protobuf::Struct Meta(absl::string_view resource_type,
                              const std::string& location);
google::protobuf::Struct UserResource(const v1::User& user);
google::protobuf::Struct GroupResource(const std::string& group);

HttpResponse ScimAnswer(int status, const google::protobuf::Struct& body);
HttpResponse Created(const google::protobuf::Struct& resource,
                     const std::string& location);
HttpResponse NoContent();

// A ListResponse of `matches` (0 or 1), paged by startIndex and count.
absl::StatusOr<HttpResponse> ListAnswer(
    absl::string_view query, std::vector<google::protobuf::Struct> matches);

// ---- Users ----

// What a request sets on a user; nullopt leaves the attribute as it is.
struct UserChange {
  std::optional<std::string> display_name;
  std::optional<std::string> manager_id;
  std::optional<std::vector<std::string>> groups;
  std::optional<bool> active;
};

// The fields UpsertUser takes (the others are output only).
v1::User RecordOf(const v1::User& user);

// A User resource of POST or PUT: its user_id and every attribute it sets.
// `user_id` is the id in the path ("" for POST), which the body may repeat
// but not change.
absl::StatusOr<std::pair<std::string, UserChange>> ParseUserResource(
    const google::protobuf::Struct& body, const std::string& user_id);

// One entry of a PatchOp's "Operations" (RFC 7644 §3.5.2).
struct PatchOperation {
  std::string op;    // "add", "replace" or "remove" (clients vary the case)
  std::string path;  // "" when none
  // Into the body; nullptr when absent.
  const google::protobuf::Value* value = nullptr;
};

absl::StatusOr<std::vector<PatchOperation>> ParsePatch(
    const google::protobuf::Struct& body);

// The change a PatchOp makes, checked whole before anything is called.
absl::StatusOr<UserChange> ParseUserPatch(const google::protobuf::Struct& body,
                                          const std::string& user_id);

// ---- Groups ----

// Member -> true to add the group, false to remove it (the last op wins).
using MembershipChange = std::map<std::string, bool>;

// A group in a path or body: 404 (path) or 400 (body) unless valid.
absl::Status CheckGroupId(const std::string& group, bool in_path);

// A Group resource of POST: its name and the members it adds.
absl::StatusOr<std::pair<std::string, MembershipChange>> ParseGroupResource(
    const google::protobuf::Struct& body);

absl::StatusOr<MembershipChange> ParseGroupPatch(
    const google::protobuf::Struct& body, const std::string& group);

// ImportUsers names users by index ("users[3].groups: ..."): name the
// member of `batch` instead.
absl::Status NamedMember(const absl::Status& status,
                         const std::vector<v1::User>& batch);

}  // namespace plaudit::scim

#endif  // PLAUDIT_SERVICES_SCIM_SCIM_RESOURCE_H_
