// The pure SCIM mapping: bodies parsed as RFC 7644 and Azure AD send them,
// filters, and the error body every refusal answers with.
#include "services/scim/scim_resource.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"

namespace plaudit::scim {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// RFC 7644 §3.3's example of a POST /Users body.
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

Struct Json(const std::string& text) {
  Struct object;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &object).ok())
      << text;
  return object;
}

std::string Patch(const std::string& operations) {
  return absl::StrCat(
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],)",
      R"("Operations":)", operations, "}");
}

const Value& At(const Struct& object, const std::string& name) {
  static const Value* const kMissing = new Value;
  const auto it = object.fields().find(name);
  return it == object.fields().end() ? *kMissing : it->second;
}

// The scimType an error will be answered with ("" for none).
std::string ScimTypeOf(const absl::Status& status) {
  return At(Json(ErrorResponse(status).body), "scimType").string_value();
}

TEST(ScimUserTest, ParsesTheRfcExample) {
  auto parsed = ParseUserResource(Json(kBjensen), "");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto& [user_id, change] = *parsed;
  EXPECT_EQ(user_id, "bjensen");
  EXPECT_EQ(change.display_name, "Ms. Barbara J Jensen III");
  EXPECT_EQ(change.manager_id, "");  // a full resource: no manager given
  EXPECT_EQ(change.active, std::nullopt);
  EXPECT_EQ(change.groups, std::nullopt);
}

TEST(ScimUserTest, NamesGivenInPartsAreJoined) {
  auto parsed = ParseUserResource(
      Json(R"({"userName":"ann","name":{"givenName":"Ann","familyName":"Lee"},
               "active":"False"})"),
      "");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->second.display_name, "Ann Lee");
  EXPECT_EQ(parsed->second.active, false);
}

TEST(ScimUserTest, UserNameIsRequiredAndImmutable) {
  EXPECT_EQ(ScimTypeOf(ParseUserResource(Json(R"({"name":{}})"), "").status()),
            "invalidValue");
  const auto renamed = ParseUserResource(Json(kBjensen), "babs");
  EXPECT_EQ(ScimTypeOf(renamed.status()), "mutability");
  EXPECT_TRUE(ParseUserResource(Json(kBjensen), "bjensen").ok());
  EXPECT_EQ(ScimTypeOf(ParseUserResource(
                           Json(R"({"schemas":["urn:x"],"userName":"a"})"), "")
                           .status()),
            "invalidSyntax");
}

TEST(ScimUserTest, ResourceCarriesManagerGroupsAndLocation) {
  v1::User user;
  user.set_user_id("emp/42");
  user.set_display_name("Ann");
  user.set_manager_id("boss");
  user.add_groups("dept:sales");
  user.set_deactivated(true);
  const Struct resource = UserResource(user);
  EXPECT_EQ(At(resource, "userName").string_value(), "emp/42");
  EXPECT_FALSE(At(resource, "active").bool_value());
  EXPECT_EQ(At(resource, "groups")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("value")
                .string_value(),
            "dept:sales");
  EXPECT_EQ(At(At(At(resource, kEnterpriseSchema).struct_value(), "manager")
                   .struct_value(),
               "value")
                .string_value(),
            "boss");
  EXPECT_EQ(At(At(resource, "meta").struct_value(), "location").string_value(),
            "/scim/v2/Users/emp%2F42");
}

TEST(ScimPatchTest, ParsesTheRfcForm) {
  auto change = ParseUserPatch(
      Json(Patch(absl::StrCat(
          R"([{"op":"replace","path":"displayName","value":"Babs"},)",
          R"({"op":"replace","path":"active","value":false},)",
          R"({"op":"add","path":")", kEnterpriseSchema,
          R"(:manager","value":{"value":"boss"}}])"))),
      "bjensen");
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->display_name, "Babs");
  EXPECT_EQ(change->active, false);
  EXPECT_EQ(change->manager_id, "boss");
  EXPECT_EQ(change->groups, std::nullopt);
}

TEST(ScimPatchTest, ParsesTheAzureAdForm) {
  // Azure AD capitalizes ops, sends booleans as strings, and keys a
  // path-less value by path.
  auto operations = ParsePatch(
      Json(Patch(R"([{"op":"Replace","path":"active","value":"False"}])")));
  ASSERT_TRUE(operations.ok()) << operations.status();
  ASSERT_EQ(operations->size(), 1u);
  EXPECT_EQ((*operations)[0].op, "replace");
  EXPECT_EQ((*operations)[0].path, "active");

  auto change =
      ParseUserPatch(Json(Patch(absl::StrCat(
                         R"([{"op":"Replace","value":{"active":"False",)",
                         R"("name.formatted":"Ann Lee","urn:x:title":"CFO",)",
                         R"(")", kEnterpriseSchema, R"(:manager":"boss"}}])"))),
                     "ann");
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->active, false);
  EXPECT_EQ(change->display_name, "Ann Lee");
  EXPECT_EQ(change->manager_id, "boss");
}

TEST(ScimPatchTest, RefusesBadOperations) {
  const auto type_of = [](const std::string& operations) {
    return ScimTypeOf(ParseUserPatch(Json(Patch(operations)), "ann").status());
  };
  EXPECT_EQ(type_of("[]"), "invalidSyntax");
  EXPECT_EQ(type_of(R"([{"op":"move","path":"active","value":true}])"),
            "invalidSyntax");
  EXPECT_EQ(type_of(R"([{"op":"remove"}])"), "noTarget");
  EXPECT_EQ(type_of(R"([{"op":"replace","path":"active"}])"), "invalidValue");
  EXPECT_EQ(type_of(R"([{"op":"replace","path":"active","value":"maybe"}])"),
            "invalidValue");
  EXPECT_EQ(type_of(R"([{"op":"replace","path":"userName","value":"bob"}])"),
            "mutability");
  EXPECT_EQ(type_of(R"([{"op":"add","path":"groups","value":[]}])"),
            "mutability");
}

TEST(ScimPatchTest, GroupMembersAreAddedAndRemovedByValue) {
  auto change = ParseGroupPatch(
      Json(Patch(
          R"([{"op":"add","path":"members","value":[{"value":"ann"},{"value":"bob"}]},
              {"op":"remove","path":"members[value eq \"bob\"]"}])")),
      "dept:sales");
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(*change, (MembershipChange{{"ann", true}, {"bob", false}}));
  EXPECT_EQ(ScimTypeOf(
                ParseGroupPatch(Json(Patch(R"([{"op":"replace","path":"members",
                                          "value":[]}])")),
                                "dept:sales")
                    .status()),
            "invalidValue");
}

TEST(ScimFilterTest, ParsesEquality) {
  auto filter = ParseEqualityFilter(R"(userName eq "x")", kUserSchema, "");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->attribute, "username");
  EXPECT_EQ(filter->value, "x");

  filter = ParseEqualityFilter(absl::StrCat(kUserSchema, R"(:id EQ "a\"b")"),
                               kUserSchema, "");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->attribute, "id");
  EXPECT_EQ(filter->value, "a\"b");
}

TEST(ScimFilterTest, RefusesOtherFilters) {
  for (const char* text :
       {R"(userName co "x")", "userName eq x",
        R"(userName eq "x" and id eq "y")", "userName", R"(userName eq "x)"}) {
    EXPECT_EQ(ScimTypeOf(ParseEqualityFilter(text, kUserSchema, "").status()),
              "invalidFilter")
        << text;
  }
}

TEST(ScimFilterTest, ListsFilterByTheGivenAttributesOnly) {
  const std::vector<absl::string_view> attributes = {"username", "id"};
  auto filter = ListFilter("count=1&filter=userName+eq+%22x%22", kUserSchema,
                           "", attributes);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->value, "x");
  EXPECT_EQ(ScimTypeOf(ListFilter("", kUserSchema, "", attributes).status()),
            "invalidFilter");
  EXPECT_EQ(ScimTypeOf(ListFilter("filter=emails%20eq%20%22x%22", kUserSchema,
                                  "", attributes)
                           .status()),
            "invalidFilter");
  EXPECT_EQ(ScimTypeOf(
                ListFilter("filter=%zz", kUserSchema, "", attributes).status()),
            "invalidSyntax");
}

TEST(ScimErrorTest, BodyHasTheRfcShape) {
  const HttpResponse response = ErrorResponse(InvalidFilter("filter: bad"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/scim+json");
  const Struct body = Json(response.body);
  EXPECT_EQ(At(body, "schemas").list_value().values(0).string_value(),
            "urn:ietf:params:scim:api:messages:2.0:Error");
  EXPECT_EQ(At(body, "status").string_value(), "400");  // a string (§3.12)
  EXPECT_EQ(At(body, "scimType").string_value(), "invalidFilter");
  EXPECT_EQ(At(body, "detail").string_value(), "filter: bad");
  EXPECT_EQ(body.fields_size(), 4);

  const Struct not_found =
      Json(ErrorResponse(absl::NotFoundError("user x not found")).body);
  EXPECT_EQ(At(not_found, "status").string_value(), "404");
  EXPECT_EQ(not_found.fields().count("scimType"), 0u);
}

TEST(ScimErrorTest, GrpcRefusalsKeepReasonDelayAndHint) {
  const HttpResponse exists = ErrorResponse(FromGrpc(ToGrpcStatus(
      WithReason(absl::AlreadyExistsError("user x exists"), "USER_EXISTS"))));
  EXPECT_EQ(exists.status, 409);
  EXPECT_EQ(At(Json(exists.body), "scimType").string_value(), "uniqueness");
  EXPECT_EQ(At(Json(exists.body), "detail").string_value(),
            "user x exists (USER_EXISTS)");

  const HttpResponse limited = ErrorResponse(FromGrpc(
      ToGrpcStatus(WithRetryDelay(absl::ResourceExhaustedError("slow down"),
                                  absl::Milliseconds(250)))));
  EXPECT_EQ(limited.status, 429);
  ASSERT_EQ(limited.headers.size(), 1u);
  EXPECT_EQ(limited.headers[0],
            (std::pair<std::string, std::string>{"Retry-After", "1"}));

  const absl::Status refused =
      FromGrpc(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no"),
               "use an admin key");
  EXPECT_EQ(ErrorResponse(refused).status, 403);
  EXPECT_TRUE(absl::StrContains(refused.message(), "; use an admin key"))
      << refused;

  const HttpResponse unknown = ErrorResponse(
      FromGrpc(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "who are you")));
  EXPECT_EQ(unknown.status, 401);
  ASSERT_EQ(unknown.headers.size(), 1u);
  EXPECT_EQ(unknown.headers[0].first, "WWW-Authenticate");
}

}  // namespace
}  // namespace plaudit::scim
