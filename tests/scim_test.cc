// SCIM 2.0 provisioning (RFC 7643/7644) against a real redis-server and a
// real plauditd HTTP port, with a plain HTTP client: users created, read,
// filtered, replaced, patched (the RFC 7644 §3.5.2 and Azure AD forms),
// deprovisioned; groups' members added and removed; keys and roles as for
// any UserService call; bad bodies refused with SCIM errors, changing
// nothing.
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/fixtures/http_client.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kNoKey[] = "-";

// RFC 7644 §3.3's example, adapted: no password or emails kept.
constexpr char kBjensen[] = R"({
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "bjensen",
  "externalId": "bjensen",
  "name": {
    "formatted": "Ms. Barbara J Jensen III",
    "familyName": "Jensen",
    "givenName": "Barbara"
  }
})";

std::string Patch(const std::string& operations) {
  return absl::StrCat(
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],)",
      R"("Operations":)", operations, "}");
}

Struct Json(const HttpReply& reply) {
  Struct body;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(reply.body, &body).ok())
      << reply.body;
  return body;
}

const Value& At(const Struct& object, const std::string& name) {
  static const Value* const kMissing = new Value;
  const auto it = object.fields().find(name);
  return it == object.fields().end() ? *kMissing : it->second;
}

// An answer is a SCIM error of `status` and `scim_type` whose detail says
// `says`.
void ExpectScimError(const HttpReply& reply, int status,
                     const std::string& scim_type, const std::string& says) {
  EXPECT_EQ(reply.status, status) << reply.body;
  EXPECT_TRUE(
      absl::StartsWith(reply.Header("content-type"), "application/scim+json"));
  const Struct body = Json(reply);
  EXPECT_EQ(At(body, "schemas").list_value().values(0).string_value(),
            "urn:ietf:params:scim:api:messages:2.0:Error");
  EXPECT_EQ(At(body, "status").string_value(), absl::StrCat(status));
  EXPECT_EQ(At(body, "scimType").string_value(), scim_type) << reply.body;
  EXPECT_TRUE(absl::StrContains(At(body, "detail").string_value(), says))
      << reply.body;
}

class ScimTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    v1::KeyFile file;
    admin_ = AddKey(&file, "acme", v1::ADMIN);
    integration_ = AddKey(&file, "acme", v1::INTEGRATION);
    reader_ = AddKey(&file, "acme", v1::READER);
    ServerOptions options = KeyedOptions(file);
    options.http_listen = "127.0.0.1:0";
    options.rate_limit = {1000, 1000};
    keyed_ = StartServer(options);
    ASSERT_NE(keyed_, nullptr);
    ASSERT_NE(keyed_->http_port(), 0);
    users_ = v1::UserService::NewStub(ChannelTo(*keyed_));
    http_ = std::make_unique<HttpClient>(keyed_->http_port());
  }

  void TearDown() override {
    http_.reset();
    users_.reset();
    keyed_.reset();
    PlauditTest::TearDown();
  }

  HttpReply Scim(const std::string& method, const std::string& target,
                 const std::string& body = "", std::string key = "") {
    std::map<std::string, std::string> headers;
    if (key != kNoKey) {
      headers["authorization"] = "Bearer " + (key.empty() ? admin_ : key);
    }
    if (!body.empty()) headers["content-type"] = "application/scim+json";
    return http_->Send(method, absl::StrCat("/scim/v2/", target), body,
                       headers);
  }

  // The user as UserService keeps it (over gRPC, with the admin key).
  v1::User Stored(const std::string& user_id) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + admin_);
    v1::GetUserRequest request;
    request.set_user_id(user_id);
    v1::GetUserResponse response;
    const grpc::Status status = users_->GetUser(&context, request, &response);
    EXPECT_TRUE(status.ok()) << user_id << ": " << status.error_message();
    return response.user();
  }

  void Create(const std::string& user_id, const std::string& display = "") {
    const HttpReply reply =
        Scim("POST", "Users",
             absl::StrCat(R"({"userName":")", user_id, R"(","displayName":")",
                          display, R"("})"));
    ASSERT_EQ(reply.status, 201) << reply.body;
  }

  std::string admin_, integration_, reader_;
  std::unique_ptr<PlauditServer> keyed_;
  std::unique_ptr<v1::UserService::Stub> users_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(ScimTest, CreatesAUserOnceAndReadsItBack) {
  const HttpReply created = Scim("POST", "Users", kBjensen);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(absl::StartsWith(created.Header("content-type"),
                               "application/scim+json"));
  EXPECT_EQ(created.Header("location"), "/scim/v2/Users/bjensen");
  const Struct user = Json(created);
  EXPECT_EQ(At(user, "id").string_value(), "bjensen");
  EXPECT_EQ(At(user, "userName").string_value(), "bjensen");
  EXPECT_EQ(At(user, "displayName").string_value(), "Ms. Barbara J Jensen III");
  EXPECT_TRUE(At(user, "active").bool_value());
  const Struct& meta = At(user, "meta").struct_value();
  EXPECT_EQ(At(meta, "resourceType").string_value(), "User");
  EXPECT_EQ(At(meta, "location").string_value(), "/scim/v2/Users/bjensen");
  EXPECT_EQ(Stored("bjensen").display_name(), "Ms. Barbara J Jensen III");

  ExpectScimError(Scim("POST", "Users", kBjensen), 409, "uniqueness",
                  "bjensen");

  const HttpReply got = Scim("GET", "Users/bjensen");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(At(Json(got), "displayName").string_value(),
            "Ms. Barbara J Jensen III");
}

TEST_F(ScimTest, IdsArePercentEncodedInLocations) {
  ASSERT_EQ(Scim("POST", "Users", R"({"userName":"emp/42"})").status, 201);
  const HttpReply got = Scim("GET", "Users/emp%2F42");
  ASSERT_EQ(got.status, 200) << got.body;
  const Struct body = Json(got);
  EXPECT_EQ(At(At(body, "meta").struct_value(), "location").string_value(),
            "/scim/v2/Users/emp%2F42");
}

TEST_F(ScimTest, FiltersByUserNameOnly) {
  Create("bjensen", "Barbara");
  const HttpReply one =
      Scim("GET", "Users?filter=userName%20eq%20%22bjensen%22");
  ASSERT_EQ(one.status, 200) << one.body;
  const Struct list = Json(one);
  EXPECT_EQ(At(list, "schemas").list_value().values(0).string_value(),
            "urn:ietf:params:scim:api:messages:2.0:ListResponse");
  EXPECT_EQ(At(list, "totalResults").number_value(), 1);
  EXPECT_EQ(At(list, "startIndex").number_value(), 1);
  EXPECT_EQ(At(list, "itemsPerPage").number_value(), 1);
  ASSERT_EQ(At(list, "Resources").list_value().values_size(), 1);
  EXPECT_EQ(At(At(list, "Resources").list_value().values(0).struct_value(),
               "userName")
                .string_value(),
            "bjensen");

  const HttpReply none = Scim("GET", "Users?filter=userName+eq+%22nobody%22");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(At(Json(none), "totalResults").number_value(), 0);
  EXPECT_EQ(At(Json(none), "Resources").list_value().values_size(), 0);

  ExpectScimError(Scim("GET", "Users"), 400, "invalidFilter", "ListUsers");
  ExpectScimError(Scim("GET", "Users?filter=emails%20co%20%22example%22"), 400,
                  "invalidFilter", "userName eq");
  ExpectScimError(Scim("GET", "Users?filter=title%20eq%20%22boss%22"), 400,
                  "invalidFilter", "title");
}

TEST_F(ScimTest, PutReplacesNameAndManagerAndKeepsGroups) {
  Create("boss");
  Create("bjensen", "Barbara");
  ASSERT_EQ(
      Scim("POST", "Groups",
           R"({"displayName":"dept:sales","members":[{"value":"bjensen"}]})")
          .status,
      201);
  const HttpReply put = Scim("PUT", "Users/bjensen", R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "userName": "bjensen",
    "displayName": "Babs Jensen",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
      "manager": {"value": "boss"}
    }
  })");
  ASSERT_EQ(put.status, 200) << put.body;
  const v1::User stored = Stored("bjensen");
  EXPECT_EQ(stored.display_name(), "Babs Jensen");
  EXPECT_EQ(stored.manager_id(), "boss");
  ASSERT_EQ(stored.groups_size(), 1);
  EXPECT_EQ(stored.groups(0), "dept:sales");
  const Struct body = Json(put);
  EXPECT_EQ(At(At(At(body,
                     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:"
                     "User")
                      .struct_value(),
                  "manager")
                   .struct_value(),
               "value")
                .string_value(),
            "boss");
  EXPECT_EQ(
      At(At(body, "groups").list_value().values(0).struct_value(), "value")
          .string_value(),
      "dept:sales");

  ExpectScimError(
      Scim("PUT", "Users/bjensen", R"({"userName":"someone-else"})"), 400,
      "mutability", "userName");
  ExpectScimError(Scim("PUT", "Users/nobody", R"({"userName":"nobody"})"), 404,
                  "", "nobody");
}

TEST_F(ScimTest, GroupMembersAreAddedAndRemoved) {
  Create("bjensen");
  Create("jsmith");
  const HttpReply created = Scim("POST", "Groups", R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "displayName": "dept:sales",
    "members": [{"value": "bjensen", "display": "Babs Jensen"}]
  })");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("location"), "/scim/v2/Groups/dept:sales");
  EXPECT_EQ(At(Json(created), "id").string_value(), "dept:sales");
  EXPECT_EQ(Stored("bjensen").groups_size(), 1);

  // RFC 7644 §3.5.2.1 and §3.5.2.2.
  const HttpReply added =
      Scim("PATCH", "Groups/dept:sales", Patch(R"([{"op":"add","path":"members",
                 "value":[{"display":"John","value":"jsmith"}]}])"));
  ASSERT_EQ(added.status, 204) << added.body;
  ASSERT_EQ(Stored("jsmith").groups_size(), 1);
  EXPECT_EQ(Stored("jsmith").groups(0), "dept:sales");
  const HttpReply removed = Scim(
      "PATCH", "Groups/dept:sales",
      Patch(R"([{"op":"remove","path":"members[value eq \"bjensen\"]"}])"));
  ASSERT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(Stored("bjensen").groups_size(), 0);
  EXPECT_EQ(Stored("jsmith").groups_size(), 1);
  // Azure AD's form: remove with the members as the value; twice is fine.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Scim("PATCH", "Groups/dept:sales",
                   Patch(R"([{"op":"Remove","path":"members",
                              "value":[{"value":"jsmith"}]}])"))
                  .status,
              204);
  }
  EXPECT_EQ(Stored("jsmith").groups_size(), 0);
  // Paths may carry the schema's URN; ids keep their case.
  Create("MixedCase");
  ASSERT_EQ(Scim("PATCH", "Groups/dept:sales",
                 Patch(R"([{"op":"add","value":{"members":[
                            {"value":"MixedCase"}]}}])"))
                .status,
            204);
  EXPECT_EQ(Stored("MixedCase").groups_size(), 1);
  EXPECT_EQ(Scim("PATCH", "Groups/dept:sales", Patch(R"([{"op":"remove","path":
                   "urn:ietf:params:scim:schemas:core:2.0:Group:members[value eq \"MixedCase\"]"}])"))
                .status,
            204);
  EXPECT_EQ(Stored("MixedCase").groups_size(), 0);

  const HttpReply group = Scim("GET", "Groups/dept:sales");
  ASSERT_EQ(group.status, 200) << group.body;
  EXPECT_EQ(At(Json(group), "displayName").string_value(), "dept:sales");
  const HttpReply found =
      Scim("GET", "Groups?filter=displayName%20eq%20%22dept:sales%22");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(At(Json(found), "totalResults").number_value(), 1);

  ExpectScimError(Scim("POST", "Groups", R"({"displayName":"Sales Team"})"),
                  400, "invalidValue", "displayName");
  ExpectScimError(
      Scim(
          "PATCH", "Groups/dept:sales",
          Patch(
              R"([{"op":"add","path":"members","value":[{"value":"ghost"}]}])")),
      400, "invalidValue", "ghost");
  ExpectScimError(
      Scim("PATCH", "Users/bjensen", Patch(R"([{"op":"add","path":"groups",
                                  "value":[{"value":"dept:it"}]}])")),
      400, "mutability", "groups");
}

TEST_F(ScimTest, ConcurrentGroupChangesOfOneUserAllLand) {
  Create("ann");
  constexpr int kGroups = 8;
  std::vector<std::thread> portals;
  std::vector<int> statuses(kGroups);
  for (int i = 0; i < kGroups; ++i) {
    portals.emplace_back([&, i] {
      HttpClient client(keyed_->http_port());
      statuses[i] =
          client
              .Send("PATCH", absl::StrCat("/scim/v2/Groups/team:t", i),
                    Patch(R"([{"op":"add","path":"members",
                              "value":[{"value":"ann"}]}])"),
                    {{"authorization", "Bearer " + admin_}})
              .status;
    });
  }
  for (std::thread& portal : portals) portal.join();
  EXPECT_EQ(statuses, std::vector<int>(kGroups, 204));
  EXPECT_EQ(Stored("ann").groups_size(), kGroups);
}

TEST_F(ScimTest, ManagerIsSetByPatchAndLoopsAreRefused) {
  Create("bjensen");
  Create("boss");
  const std::string manager =
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
  const HttpReply set =
      Scim("PATCH", "Users/bjensen",
           Patch(absl::StrCat(R"([{"op":"add","path":")", manager,
                              R"(","value":{"value":"boss"}}])")));
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Stored("bjensen").manager_id(), "boss");

  // Azure AD sends the id as a plain string.
  const std::string before = DataDigest();
  ExpectScimError(
      Scim("PATCH", "Users/boss",
           Patch(absl::StrCat(R"([{"op":"Replace","path":")", manager,
                              R"(","value":"bjensen"}])"))),
      400, "invalidValue", "manager_id");
  EXPECT_EQ(DataDigest(), before);
  EXPECT_EQ(Stored("boss").manager_id(), "");

  ASSERT_EQ(Scim("PATCH", "Users/bjensen",
                 Patch(absl::StrCat(R"([{"op":"remove","path":")", manager,
                                    R"("}])")))
                .status,
            200);
  EXPECT_EQ(Stored("bjensen").manager_id(), "");

  // No path: the extension's attributes in the value.
  ASSERT_EQ(Scim("PATCH", "Users/bjensen", Patch(R"([{"op":"replace","value":{
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                     {"manager":{"value":"boss"}}}}])"))
                .status,
            200);
  EXPECT_EQ(Stored("bjensen").manager_id(), "boss");
}

TEST_F(ScimTest, ActiveFalseDeactivatesAndTrueReactivates) {
  Create("bjensen", "Barbara");
  // Azure AD: "Replace" and the string "False".
  const HttpReply off =
      Scim("PATCH", "Users/bjensen",
           Patch(R"([{"op":"Replace","path":"active","value":"False"}])"));
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(At(Json(off), "active").bool_value());
  EXPECT_TRUE(Stored("bjensen").deactivated());
  EXPECT_FALSE(At(Json(Scim("GET", "Users/bjensen")), "active").bool_value());

  // RFC 7644 §3.5.2.3: replace without a path, attributes in the value.
  const HttpReply on = Scim(
      "PATCH", "Users/bjensen",
      Patch(
          R"([{"op":"replace","value":{"active":true,"displayName":"Babs"}}])"));
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_TRUE(At(Json(on), "active").bool_value());
  EXPECT_FALSE(Stored("bjensen").deactivated());
  EXPECT_EQ(Stored("bjensen").display_name(), "Babs");

  const HttpReply created =
      Scim("POST", "Users", R"({"userName":"leaver","active":false})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(At(Json(created), "active").bool_value());
  EXPECT_TRUE(Stored("leaver").deactivated());
}

TEST_F(ScimTest, DeleteDeactivatesIdempotently) {
  Create("bjensen");
  const HttpReply deleted = Scim("DELETE", "Users/bjensen");
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(Stored("bjensen").deactivated());
  EXPECT_EQ(Scim("DELETE", "Users/bjensen").status, 204);
  ExpectScimError(Scim("DELETE", "Users/nobody"), 404, "", "nobody");
  ExpectScimError(Scim("GET", "Users/nobody"), 404, "", "nobody");
}

TEST_F(ScimTest, BadBodiesAreRefusedAndChangeNothing) {
  Create("bjensen", "Barbara");
  const std::string before = DataDigest();
  struct Bad {
    const char* verb;
    const char* target;
    std::string body;
    const char* scim_type;
    const char* says;
  };
  const Bad cases[] = {
      {"POST", "Users", R"({"userName": )", "invalidSyntax", "JSON"},
      {"POST", "Users", R"(["bjensen"])", "invalidSyntax", "JSON"},
      {"POST", "Users", R"({"displayName":"No Name"})", "invalidValue",
       "userName"},
      {"POST", "Users", R"({"userName":"x","active":"maybe"})", "invalidValue",
       "active"},
      {"POST", "Users", R"({"userName":42})", "invalidValue", "userName"},
      {"PUT", "Users/bjensen", R"({"active":"maybe","displayName":"B"})",
       "invalidValue", "active"},
      {"PATCH", "Users/bjensen",
       Patch(R"([{"op":"replace","path":"displayName","value":"B"},
                 {"op":"replace","path":"active","value":"maybe"}])"),
       "invalidValue", "active"},
      {"PATCH", "Users/bjensen",
       Patch(R"([{"op":"frobnicate","path":"active","value":false}])"),
       "invalidSyntax", "op"},
      {"PATCH", "Users/bjensen", R"({"Operations":"none"})", "invalidSyntax",
       "Operations"},
      {"PATCH", "Users/bjensen",
       Patch(R"([{"op":"replace","path":"displayName","value":7}])"),
       "invalidValue", "displayName"},
      {"PATCH", "Users/bjensen", Patch(R"([{"op":"remove"}])"), "noTarget",
       "path"},
      {"POST", "Groups", R"({"displayName":"dept:sales","members":"bjensen"})",
       "invalidValue", "members"},
  };
  for (const Bad& bad : cases) {
    SCOPED_TRACE(absl::StrCat(bad.verb, " ", bad.target, " ", bad.body));
    ExpectScimError(Scim(bad.verb, bad.target, bad.body), 400, bad.scim_type,
                    bad.says);
  }
  EXPECT_EQ(DataDigest(), before);
  EXPECT_EQ(Stored("bjensen").display_name(), "Barbara");

  std::map<std::string, std::string> form = {
      {"authorization", "Bearer " + admin_},
      {"content-type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(http_->Send("POST", "/scim/v2/Users", "userName=x", form).status,
            415);
  // Plain JSON is accepted as well as application/scim+json.
  EXPECT_EQ(http_
                ->Send("POST", "/scim/v2/Users", R"({"userName":"plain"})",
                       {{"authorization", "Bearer " + admin_}})
                .status,
            201);
}

TEST_F(ScimTest, KeysAndRolesApply) {
  const HttpReply created =
      Scim("POST", "Users", R"({"userName":"bjensen"})", integration_);
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectScimError(Scim("DELETE", "Users/bjensen", "", integration_), 403, "",
                  "admin key");
  ExpectScimError(
      Scim("PATCH", "Users/bjensen",
           Patch(R"([{"op":"replace","path":"active","value":false}])"),
           integration_),
      403, "", "admin key");
  EXPECT_FALSE(Stored("bjensen").deactivated());
  ExpectScimError(Scim("POST", "Users", R"({"userName":"x"})", reader_), 403,
                  "", "");
  const HttpReply anonymous = Scim("GET", "Users/bjensen", "", kNoKey);
  ExpectScimError(anonymous, 401, "", "authorization");
  EXPECT_FALSE(anonymous.Header("www-authenticate").empty());
  ExpectScimError(Scim("POST", "Users", R"({"userName":"y"})", kNoKey), 401, "",
                  "authorization");
  ExpectScimError(Scim("GET", "Groups/dept:sales", "", kNoKey), 401, "",
                  "authorization");
}

TEST_F(ScimTest, DescribesItself) {
  const HttpReply config = Scim("GET", "ServiceProviderConfig", "", kNoKey);
  ASSERT_EQ(config.status, 200) << config.body;
  const Struct body = Json(config);
  EXPECT_TRUE(At(At(body, "patch").struct_value(), "supported").bool_value());
  EXPECT_FALSE(At(At(body, "bulk").struct_value(), "supported").bool_value());
  EXPECT_EQ(At(At(body, "filter").struct_value(), "maxResults").number_value(),
            1);
  EXPECT_EQ(At(At(body, "authenticationSchemes")
                   .list_value()
                   .values(0)
                   .struct_value(),
               "type")
                .string_value(),
            "oauthbearertoken");
  const HttpReply types = Scim("GET", "ResourceTypes");
  ASSERT_EQ(types.status, 200) << types.body;
  EXPECT_EQ(At(Json(types), "totalResults").number_value(), 2);
  const HttpReply schemas = Scim("GET", "Schemas");
  ASSERT_EQ(schemas.status, 200) << schemas.body;
  EXPECT_EQ(At(Json(schemas), "totalResults").number_value(), 3);
  EXPECT_EQ(
      Scim("GET", "Schemas/urn:ietf:params:scim:schemas:core:2.0:User").status,
      200);
  ExpectScimError(Scim("GET", "Widgets"), 404, "", "Widgets");
  ExpectScimError(Scim("POST", "Bulk", "{}"), 501, "", "Bulk");
  EXPECT_EQ(Scim("DELETE", "Users").status, 405);
}

}  // namespace
}  // namespace plaudit::testing
