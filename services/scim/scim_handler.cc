// SCIM 2.0 (RFC 7643 resources, RFC 7644 protocol) as calls of
// plaudit.v1.UserService with the caller's own key.
//
// Mapping: see scim_resource.h.
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
#include <deque>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "grpcpp/client_context.h"
#include "plaudit/v1/user_service.grpc.pb.h"
#include "services/common/error_reason.h"
#include "services/scim/scim_discovery.h"
#include "services/scim/scim_resource.h"

namespace plaudit::scim {
namespace {

using google::protobuf::Struct;
using Metadata = std::vector<std::pair<std::string, std::string>>;

constexpr char kDeprovisionReason[] = "SCIM: deprovisioned";
// GetUser of an id no one syncs: the key guard's verdict (401, 403, 429)
// for answers that read nothing else, such as GET /Groups/{id}.
constexpr char kAuthorizationProbe[] = "scim.authorization-probe";
constexpr absl::Duration kCallDeadline = absl::Seconds(30);
constexpr int kWorkerThreads = 4;
constexpr size_t kMaxQueuedRequests = 1000;

// What travels from the HTTP request to every call, as the gateway sends it.
constexpr const char* kPassedHeaders[] = {"authorization", "plaudit-actor",
                                          "plaudit-tenant"};

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
  auto parsed = ParseGroupResource(*body);
  if (!parsed.ok()) return parsed.status();
  const auto& [group, change] = *parsed;
  // Nothing to write for an empty group, but the key must still be one
  // that may sync users.
  if (auto s = change.empty() ? users.Authorize()
                              : ChangeMembership(users, locks, group, change);
      !s.ok()) {
    return s;
  }
  return Created(GroupResource(group), Location("Groups", group));
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

absl::StatusOr<HttpResponse> Users(const HttpRequest& request, Directory& users,
                                   UserLocks& locks, const std::string& id,
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

absl::StatusOr<HttpResponse> Groups(const HttpRequest& request,
                                    Directory& users, UserLocks& locks,
                                    const std::string& id,
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

// The answer to a request of /scim/v2/..., or the error that is to be it.
absl::StatusOr<HttpResponse> Route(const HttpRequest& request,
                                   Metadata metadata,
                                   v1::UserService::Stub* stub,
                                   UserLocks& locks) {
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
  Directory users(stub, CallMetadata(request, std::move(metadata)));
  if (resource == "Users") return Users(request, users, locks, *id, query);
  if (resource == "Groups") return Groups(request, users, locks, *id, query);
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
}  // namespace plaudit::scim

namespace plaudit {

struct ScimHandler::Impl {
  explicit Impl(std::shared_ptr<grpc::Channel> channel)
      : stub(v1::UserService::NewStub(channel)) {}

  HttpResponse Serve(const HttpRequest& request, scim::Metadata metadata) {
    absl::StatusOr<HttpResponse> response =
        scim::Route(request, std::move(metadata), stub.get(), locks);
    return response.ok() ? *std::move(response)
                         : scim::ErrorResponse(response.status());
  }

  std::unique_ptr<v1::UserService::Stub> stub;
  scim::UserLocks locks;
  // Last: joined before the rest goes.
  scim::ScimWorkers workers{scim::kWorkerThreads};
};

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
        scim::ErrorResponse(503, "", "too many SCIM requests in flight; retry");
    busy.headers.emplace_back("Retry-After", "1");
    (*answer)(std::move(busy));
  }
}

}  // namespace plaudit
