#include "services/http/openapi.h"

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plaudit/v1/account_service.pb.h"
#include "plaudit/v1/analytics_service.pb.h"
#include "plaudit/v1/audit_service.pb.h"
#include "plaudit/v1/event_service.pb.h"
#include "plaudit/v1/key_service.pb.h"
#include "plaudit/v1/leaderboard_service.pb.h"
#include "plaudit/v1/reward_service.pb.h"
#include "plaudit/v1/rule_service.pb.h"
#include "plaudit/v1/tenant_service.pb.h"
#include "plaudit/v1/user_service.pb.h"

namespace plaudit {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr const char* kServices[] = {
    "RuleService",        "EventService",  "AccountService",   "UserService",
    "LeaderboardService", "RewardService", "AnalyticsService", "KeyService",
    "AuditService",       "TenantService"};

// The value at `path` (object keys) below `root`; null when absent.
const Value* At(const Value& root, std::vector<std::string> path) {
  const Value* value = &root;
  for (const std::string& key : path) {
    if (value->kind_case() != Value::kStructValue) return nullptr;
    const auto& fields = value->struct_value().fields();
    auto it = fields.find(key);
    if (it == fields.end()) return nullptr;
    value = &it->second;
  }
  return value;
}

std::string StringAt(const Value& root, std::vector<std::string> path) {
  const Value* value = At(root, std::move(path));
  return value == nullptr ? "<absent>" : value->string_value();
}

// The parameter `name` in `in` of `operation`; null when it has none.
const Value* Parameter(const Value& operation, absl::string_view name,
                       absl::string_view in) {
  const Value* list = At(operation, {"parameters"});
  if (list == nullptr) return nullptr;
  for (const Value& parameter : list->list_value().values()) {
    if (StringAt(parameter, {"name"}) == name &&
        StringAt(parameter, {"in"}) == in) {
      return &parameter;
    }
  }
  return nullptr;
}

// Every "$ref" below `value`.
void CollectRefs(const Value& value, std::vector<std::string>* refs) {
  if (value.kind_case() == Value::kListValue) {
    for (const Value& item : value.list_value().values()) {
      CollectRefs(item, refs);
    }
  }
  if (value.kind_case() != Value::kStructValue) return;
  for (const auto& [key, field] : value.struct_value().fields()) {
    if (key == "$ref") refs->push_back(field.string_value());
    CollectRefs(field, refs);
  }
}

Value Parse(const std::string& json) {
  Value document;
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, &document);
  EXPECT_TRUE(status.ok()) << status << "\n" << json;
  return document;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const char* name : kServices) {
      services.push_back(
          pool->FindServiceByName(absl::StrCat("plaudit.v1.", name)));
      ASSERT_NE(services.back(), nullptr) << name;
    }
    absl::StatusOr<RouteTable> table = RouteTable::Build(services);
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = *std::move(table);
    json_ = OpenApiDocument(table_);
    document_ = Parse(json_);
  }

  const Value& Operation(const std::string& path, const std::string& verb) {
    const Value* operation = At(document_, {"paths", path, verb});
    static const Value* const kNone = new Value();
    EXPECT_NE(operation, nullptr) << verb << " " << path;
    return operation == nullptr ? *kNone : *operation;
  }

  const Value& Schema(const std::string& name) {
    const Value* schema = At(document_, {"components", "schemas", name});
    static const Value* const kNone = new Value();
    EXPECT_NE(schema, nullptr) << name;
    return schema == nullptr ? *kNone : *schema;
  }

  RouteTable table_;
  std::string json_;
  Value document_;
};

TEST_F(OpenApiTest, HeadsTheDocument) {
  EXPECT_EQ(StringAt(document_, {"openapi"}), "3.0.3");
  EXPECT_EQ(StringAt(document_, {"info", "title"}), "Plaudit API");
  EXPECT_EQ(StringAt(document_, {"info", "version"}), "v1");
  const Value& scheme =
      *At(document_, {"components", "securitySchemes", "bearerAuth"});
  EXPECT_EQ(StringAt(scheme, {"type"}), "http");
  EXPECT_EQ(StringAt(scheme, {"scheme"}), "bearer");
  EXPECT_EQ(StringAt(scheme, {"bearerFormat"}),
            "plk.<tenant>.<key_id>.<secret>");
  const Value* security = At(document_, {"security"});
  ASSERT_NE(security, nullptr);
  ASSERT_EQ(security->list_value().values_size(), 1);
  EXPECT_NE(At(security->list_value().values(0), {"bearerAuth"}), nullptr);
  // The gateway's own paths need no key.
  EXPECT_EQ(At(Operation("/healthz", "get"), {"security"})
                ->list_value()
                .values_size(),
            0);
  EXPECT_EQ(OpenApiDocument(table_), json_);  // the same text every time
}

TEST_F(OpenApiTest, EveryRouteIsAnOperationOfItsVerb) {
  std::set<std::string> ids;
  ASSERT_EQ(table_.routes().size(), 45u);
  for (const Route& route : table_.routes()) {
    SCOPED_TRACE(route.pattern);
    // Variables are named by their field's last part: {rule.rule_id} is
    // {rule_id}.
    const std::string path =
        std::regex_replace(route.pattern, std::regex("\\{[a-z_]+\\."), "{");
    const Value& operation = Operation(path, absl::AsciiStrToLower(route.verb));
    const std::string id = absl::StrCat(route.method->service()->name(), "_",
                                        route.method->name());
    EXPECT_EQ(StringAt(operation, {"operationId"}), id);
    EXPECT_TRUE(ids.insert(id).second) << id;
    EXPECT_EQ(operation.struct_value()
                  .fields()
                  .at("tags")
                  .list_value()
                  .values(0)
                  .string_value(),
              route.method->service()->name());
    EXPECT_EQ(StringAt(operation, {"responses", "200", "content",
                                   "application/json", "schema", "$ref"}),
              absl::StrCat("#/components/schemas/",
                           route.method->output_type()->full_name()));
    EXPECT_EQ(StringAt(operation, {"responses", "default", "content",
                                   "application/json", "schema", "$ref"}),
              "#/components/schemas/Error");
    EXPECT_EQ(At(operation, {"requestBody"}) != nullptr, !route.body.empty());
    // Every {variable} of the path is a required path parameter.
    for (const std::string& segment : route.segments) {
      if (!absl::StartsWith(segment, "{")) continue;
      const std::string field = segment.substr(1, segment.size() - 2);
      const Value* parameter =
          Parameter(operation, field.substr(field.rfind('.') + 1), "path");
      ASSERT_NE(parameter, nullptr) << segment;
      EXPECT_TRUE(At(*parameter, {"required"})->bool_value()) << segment;
    }
  }
}

// OpenAPI 3 forbids paths that differ only in their variables' names.
TEST_F(OpenApiTest, NoTwoPathsDifferOnlyInVariableNames) {
  std::set<std::string> shapes;
  for (const auto& [path, item] :
       At(document_, {"paths"})->struct_value().fields()) {
    const std::string shape =
        std::regex_replace(path, std::regex("\\{[^}]*\\}"), "{}");
    EXPECT_TRUE(shapes.insert(shape).second) << path;
  }
}

TEST_F(OpenApiTest, PathParametersAreTypedAndCustomVerbsStay) {
  const Value* user_id = Parameter(
      Operation("/v1/users/{user_id}/balance", "get"), "user_id", "path");
  ASSERT_NE(user_id, nullptr);
  EXPECT_TRUE(At(*user_id, {"required"})->bool_value());
  EXPECT_EQ(StringAt(*user_id, {"schema", "type"}), "string");

  EXPECT_NE(
      Parameter(Operation("/v1/rules/{rule_id}", "patch"), "rule_id", "path"),
      nullptr);
  EXPECT_EQ(StringAt(Operation("/v1/rewards/{reward_id}:redeem", "post"),
                     {"operationId"}),
            "RewardService_Redeem");
  // An enum in the path is typed by its enum.
  EXPECT_EQ(
      StringAt(*Parameter(Operation("/v1/leaderboards/{scope}/{period}", "get"),
                          "period", "path"),
               {"schema", "$ref"}),
      "#/components/schemas/plaudit.v1.Period");
}

TEST_F(OpenApiTest, QueryParametersAreTheFieldsNeitherPathNorBodyTakes) {
  const Value& board = Operation("/v1/leaderboards/{scope}/{period}", "get");
  const Value* page_size = Parameter(board, "pageSize", "query");
  ASSERT_NE(page_size, nullptr);
  EXPECT_EQ(StringAt(*page_size, {"schema", "type"}), "integer");
  EXPECT_EQ(StringAt(*page_size, {"schema", "format"}), "int32");
  EXPECT_NE(Parameter(board, "pageToken", "query"), nullptr);
  EXPECT_NE(Parameter(board, "bucket", "query"), nullptr);
  EXPECT_EQ(Parameter(board, "scope", "query"), nullptr);  // in the path
  EXPECT_EQ(Parameter(board, "page_size", "query"), nullptr);

  // Times as RFC 3339 strings.
  const Value* start =
      Parameter(Operation("/v1/auditEvents", "get"), "startTime", "query");
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(StringAt(*start, {"schema", "format"}), "date-time");

  // A body "<field>" route: the other fields ride in the query.
  const Value& update = Operation("/v1/rules/{rule_id}", "patch");
  EXPECT_NE(Parameter(update, "updateMask", "query"), nullptr);
  EXPECT_EQ(Parameter(update, "rule.points", "query"), nullptr);
  // A body "*" route has none.
  const Value& redeem = Operation("/v1/rewards/{reward_id}:redeem", "post");
  EXPECT_EQ(Parameter(redeem, "userId", "query"), nullptr);
  // The Idempotency-Key header where the gateway reads one.
  auto has_idempotency_key = [](const Value& operation) {
    for (const Value& p :
         At(operation, {"parameters"})->list_value().values()) {
      if (StringAt(p, {"$ref"}) == "#/components/parameters/IdempotencyKey")
        return true;
    }
    return false;
  };
  EXPECT_TRUE(has_idempotency_key(redeem));
  EXPECT_TRUE(has_idempotency_key(Operation("/v1/events", "post")));
  EXPECT_FALSE(has_idempotency_key(board));
}

TEST_F(OpenApiTest, RequestBodiesFollowTheHttpRule) {
  auto body = [&](const std::string& path, const std::string& verb) {
    const Value* schema =
        At(Operation(path, verb),
           {"requestBody", "content", "application/json", "schema"});
    static const Value* const kNone = new Value();
    return schema == nullptr ? *kNone : *schema;
  };
  // body "rule": the field's message.
  EXPECT_EQ(StringAt(body("/v1/rules", "post"), {"$ref"}),
            "#/components/schemas/plaudit.v1.Rule");
  // body "*" and no path field: the request.
  EXPECT_EQ(StringAt(body("/v1/events", "post"), {"$ref"}),
            "#/components/schemas/plaudit.v1.RecordEventRequest");
  // body "*" with a path field: the request less it.
  const Value& redeem = body("/v1/rewards/{reward_id}:redeem", "post");
  EXPECT_NE(At(redeem, {"properties", "userId"}), nullptr);
  EXPECT_NE(At(redeem, {"properties", "requestId"}), nullptr);
  EXPECT_EQ(At(redeem, {"properties", "rewardId"}), nullptr);
}

TEST_F(OpenApiTest, SchemasFollowTheProto3JsonMapping) {
  const Value& balance = Schema("plaudit.v1.Balance");
  EXPECT_EQ(StringAt(balance, {"type"}), "object");
  EXPECT_EQ(StringAt(balance, {"properties", "userId", "type"}), "string");
  // 64-bit integers are strings.
  EXPECT_EQ(StringAt(balance, {"properties", "balance", "type"}), "string");
  EXPECT_EQ(StringAt(balance, {"properties", "balance", "format"}), "int64");
  EXPECT_EQ(StringAt(balance, {"properties", "lifetimeEarned", "type"}),
            "string");
  EXPECT_EQ(At(balance, {"properties", "lifetime_earned"}), nullptr);

  const Value& rule = Schema("plaudit.v1.Rule");
  EXPECT_EQ(StringAt(rule, {"properties", "dailyLimit", "format"}), "int32");
  EXPECT_EQ(StringAt(rule, {"properties", "recipient", "$ref"}),
            "#/components/schemas/plaudit.v1.Rule.Recipient");
  EXPECT_EQ(StringAt(rule, {"properties", "tagBonuses", "type"}), "object");
  EXPECT_EQ(StringAt(rule, {"properties", "tagBonuses", "additionalProperties",
                            "type"}),
            "number");
  EXPECT_EQ(StringAt(rule, {"properties", "validFrom", "format"}), "date-time");
  EXPECT_EQ(StringAt(rule, {"properties", "allowSelf", "type"}), "boolean");
  EXPECT_EQ(StringAt(*Parameter(Operation("/v1/rules/{rule_id}", "patch"),
                                "updateMask", "query"),
                     {"schema", "type"}),
            "string");
  const Value& event = Schema("plaudit.v1.Event");
  EXPECT_EQ(StringAt(event, {"properties", "tags", "type"}), "array");
  EXPECT_EQ(StringAt(event, {"properties", "tags", "items", "type"}), "string");

  // Enums list their names.
  const Value& period = Schema("plaudit.v1.Period");
  EXPECT_EQ(StringAt(period, {"type"}), "string");
  std::vector<std::string> names;
  for (const Value& name : At(period, {"enum"})->list_value().values()) {
    names.push_back(name.string_value());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"PERIOD_UNSPECIFIED", "ALL_TIME",
                                             "YEAR", "MONTH", "WEEK", "DAY"}));
  // No message a route cannot reach.
  EXPECT_EQ(At(document_, {"components", "schemas", "plaudit.v1.KeyFile"}),
            nullptr);
}

TEST_F(OpenApiTest, ErrorSchemaMatchesTheGatewaysErrors) {
  const Value& error = Schema("Error");
  const Value* inner = At(error, {"properties", "error"});
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(StringAt(*inner, {"properties", "code", "type"}), "integer");
  EXPECT_EQ(StringAt(*inner, {"properties", "status", "type"}), "string");
  EXPECT_EQ(StringAt(*inner, {"properties", "message", "type"}), "string");
  EXPECT_EQ(StringAt(*inner, {"properties", "details", "items", "$ref"}),
            "#/components/schemas/ErrorDetail");
  EXPECT_EQ(At(*inner, {"required"})->list_value().values_size(), 4);
  const Value& detail = Schema("ErrorDetail");
  EXPECT_NE(At(detail, {"properties", "@type"}), nullptr);
  EXPECT_NE(At(detail, {"properties", "reason"}), nullptr);
  EXPECT_NE(At(detail, {"properties", "retryDelay"}), nullptr);
}

TEST_F(OpenApiTest, EveryRefResolves) {
  std::vector<std::string> refs;
  CollectRefs(document_, &refs);
  EXPECT_GT(refs.size(), 100u);
  for (const std::string& ref : refs) {
    std::vector<std::string> path;
    ASSERT_TRUE(absl::StartsWith(ref, "#/components/")) << ref;
    path = {"components"};
    const std::string rest = ref.substr(13);
    const size_t slash = rest.find('/');
    path.push_back(rest.substr(0, slash));
    path.push_back(rest.substr(slash + 1));
    EXPECT_NE(At(document_, path), nullptr) << ref;
  }
}

// Messages Plaudit's protos do not have: recursion, other well-known types,
// unsigned and bytes fields.
TEST(OpenApiShapesTest, RecursiveMessagesAndWellKnownTypes) {
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "openapi_test.proto"
        package: "t"
        syntax: "proto3"
        dependency: "google/api/annotations.proto"
        dependency: "google/protobuf/any.proto"
        dependency: "google/protobuf/duration.proto"
        dependency: "google/protobuf/empty.proto"
        dependency: "google/protobuf/struct.proto"
        dependency: "google/protobuf/wrappers.proto"
        message_type {
          name: "Node"
          field {
            name: "node_id"
            number: 1
            label: LABEL_OPTIONAL
            type: TYPE_STRING
            json_name: "nodeId"
          }
          field {
            name: "children"
            number: 2
            label: LABEL_REPEATED
            type: TYPE_MESSAGE
            type_name: ".t.Node"
            json_name: "children"
          }
          field {
            name: "parent"
            number: 3
            label: LABEL_OPTIONAL
            type: TYPE_MESSAGE
            type_name: ".t.Node"
            json_name: "parent"
          }
          field {
            name: "extra"
            number: 4
            label: LABEL_OPTIONAL
            type: TYPE_MESSAGE
            type_name: ".google.protobuf.Struct"
            json_name: "extra"
          }
          field {
            name: "anything"
            number: 5
            label: LABEL_OPTIONAL
            type: TYPE_MESSAGE
            type_name: ".google.protobuf.Value"
            json_name: "anything"
          }
          field {
            name: "ttl"
            number: 6
            label: LABEL_OPTIONAL
            type: TYPE_MESSAGE
            type_name: ".google.protobuf.Duration"
            json_name: "ttl"
          }
          field {
            name: "count"
            number: 7
            label: LABEL_OPTIONAL
            type: TYPE_UINT64
            json_name: "count"
          }
          field {
            name: "small"
            number: 8
            label: LABEL_OPTIONAL
            type: TYPE_UINT32
            json_name: "small"
          }
          field {
            name: "blob"
            number: 9
            label: LABEL_OPTIONAL
            type: TYPE_BYTES
            json_name: "blob"
          }
          field {
            name: "hint"
            number: 10
            label: LABEL_OPTIONAL
            type: TYPE_MESSAGE
            type_name: ".google.protobuf.StringValue"
            json_name: "hint"
          }
          field {
            name: "payload"
            number: 11
            label: LABEL_OPTIONAL
            type: TYPE_MESSAGE
            type_name: ".google.protobuf.Any"
            json_name: "payload"
          }
        }
        message_type {
          name: "GetNodeRequest"
          field {
            name: "node"
            number: 1
            label: LABEL_OPTIONAL
            type: TYPE_MESSAGE
            type_name: ".t.Node"
            json_name: "node"
          }
          field {
            name: "depth"
            number: 2
            label: LABEL_OPTIONAL
            type: TYPE_INT32
            json_name: "depth"
          }
        }
        service {
          name: "NodeService"
          method {
            name: "GetNode"
            input_type: ".t.GetNodeRequest"
            output_type: ".t.Node"
            options {
              [google.api.http] { get: "/v1/nodes/{node.node_id}" }
            }
          }
          method {
            name: "Ping"
            input_type: ".google.protobuf.Empty"
            output_type: ".google.protobuf.Empty"
            options {
              [google.api.http] { post: "/v1/ping" body: "*" }
            }
          }
        }
      )pb",
      &file));
  google::protobuf::DescriptorPoolDatabase generated(
      *google::protobuf::DescriptorPool::generated_pool());
  google::protobuf::SimpleDescriptorDatabase own;
  ASSERT_TRUE(own.Add(file));
  google::protobuf::MergedDescriptorDatabase both(&generated, &own);
  google::protobuf::DescriptorPool pool(&both);
  ASSERT_NE(pool.FindFileByName("openapi_test.proto"), nullptr);
  absl::StatusOr<RouteTable> table =
      RouteTable::Build({pool.FindServiceByName("t.NodeService")});
  ASSERT_TRUE(table.ok()) << table.status();
  const Value document = Parse(OpenApiDocument(*table));

  const Value& node = *At(document, {"components", "schemas", "t.Node"});
  EXPECT_EQ(StringAt(node, {"properties", "parent", "$ref"}),
            "#/components/schemas/t.Node");
  EXPECT_EQ(StringAt(node, {"properties", "children", "items", "$ref"}),
            "#/components/schemas/t.Node");
  EXPECT_EQ(StringAt(node, {"properties", "extra", "type"}), "object");
  EXPECT_EQ(At(node, {"properties", "anything"})->struct_value().fields_size(),
            0);  // any JSON
  EXPECT_EQ(StringAt(node, {"properties", "ttl", "type"}), "string");
  EXPECT_EQ(StringAt(node, {"properties", "count", "type"}), "string");
  EXPECT_EQ(StringAt(node, {"properties", "count", "format"}), "uint64");
  EXPECT_EQ(StringAt(node, {"properties", "small", "type"}), "integer");
  EXPECT_EQ(StringAt(node, {"properties", "blob", "format"}), "byte");
  EXPECT_EQ(StringAt(node, {"properties", "hint", "type"}), "string");
  EXPECT_NE(At(node, {"properties", "payload", "properties", "@type"}),
            nullptr);

  // Query parameters stop where a message recurses, and skip what a query
  // cannot carry (Struct, Value, Duration, Any, repeated messages).
  const Value& get = *At(document, {"paths", "/v1/nodes/{node_id}", "get"});
  std::set<std::string> query;
  for (const Value& p : At(get, {"parameters"})->list_value().values()) {
    if (StringAt(p, {"in"}) == "query") query.insert(StringAt(p, {"name"}));
  }
  EXPECT_EQ(query, (std::set<std::string>{"node.count", "node.small",
                                          "node.blob", "depth"}));
  // Empty in and out.
  EXPECT_EQ(
      StringAt(document, {"paths", "/v1/ping", "post", "responses", "200",
                          "content", "application/json", "schema", "type"}),
      "object");
}

}  // namespace
}  // namespace plaudit
