// The HTTP/JSON API against a real redis-server and a real plauditd on port
// 0, with a plain HTTP client over real sockets: one table of cases driven
// through both transports gives the same results, errors included; every
// RPC is routed; keys, roles, limits and bad input behave as over gRPC.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/write.hpp"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "plaudit/v1/analytics_service.pb.h"
#include "plaudit/v1/audit_service.pb.h"
#include "plaudit/v1/key_service.pb.h"
#include "plaudit/v1/notification_service.pb.h"
#include "plaudit/v1/tenant_service.pb.h"
#include "services/common/error_reason.h"
#include "services/http/route_table.h"
#include "services/http/transcoder.h"
#include "services/store/keys.h"
#include "tests/fixtures/http_client.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

constexpr const char* kServices[] = {
    "RuleService",        "EventService",  "AccountService",   "UserService",
    "LeaderboardService", "RewardService", "AnalyticsService", "KeyService",
    "AuditService",       "TenantService", "NotificationService"};

// What a client of either transport learns from a call.
struct Result {
  int http_status = 0;
  std::string status;   // "OK", "INVALID_ARGUMENT", ...
  std::string reason;   // ErrorInfo reason
  std::string message;  // error message
  std::string json;     // the response, on success
};

// JSON with object keys sorted (maps print in any order).
std::string Canonical(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStructValue: {
      std::map<std::string, std::string> fields;
      for (const auto& [name, field] : value.struct_value().fields()) {
        fields[name] = Canonical(field);
      }
      std::string out = "{";
      for (const auto& [name, field] : fields) {
        absl::StrAppend(&out, out.size() > 1 ? "," : "", name, ":", field);
      }
      return out + "}";
    }
    case google::protobuf::Value::kListValue: {
      std::string out = "[";
      for (const auto& item : value.list_value().values()) {
        absl::StrAppend(&out, out.size() > 1 ? "," : "", Canonical(item));
      }
      return out + "]";
    }
    default: {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(value, &json);
      return json;
    }
  }
}

std::string Describe(const Result& r) {
  google::protobuf::Value json;
  if (!r.json.empty()) {
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(r.json, &json).ok());
  }
  return absl::StrCat(r.http_status, " ", r.status, " ", r.reason, " \"",
                      r.message, "\" ", r.json.empty() ? "" : Canonical(json));
}

// Reads an HTTP reply the way a portal would.
Result FromHttp(const HttpReply& reply) {
  Result result;
  result.http_status = reply.status;
  if (reply.status == 200) {
    result.status = "OK";
    result.json = reply.body;
    return result;
  }
  google::protobuf::Struct body;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(reply.body, &body).ok())
      << reply.body;
  const auto& error = body.fields().at("error").struct_value().fields();
  result.status = error.at("status").string_value();
  result.message = error.at("message").string_value();
  EXPECT_EQ(static_cast<int>(error.at("code").number_value()), reply.status);
  for (const auto& detail : error.at("details").list_value().values()) {
    const auto& fields = detail.struct_value().fields();
    if (fields.count("reason"))
      result.reason = fields.at("reason").string_value();
  }
  return result;
}

class HttpTest : public PlauditTest {
 protected:
  void SetUp() override {
    PlauditTest::SetUp();
    clock_->Set(absl::FromUnixSeconds(1'796'000'000));
    v1::KeyFile file;
    grpc_admin_ = AddKey(&file, "viagrpc", v1::ADMIN);
    http_admin_ = AddKey(&file, "viahttp", v1::ADMIN);
    http_reader_ = AddKey(&file, "viahttp", v1::READER);
    revoked_ = AddKey(&file, "viahttp", v1::ADMIN, /*revoked=*/true);
    ServerOptions options = KeyedOptions(file);
    options.http_listen = "127.0.0.1:0";
    options.rate_limit = {1000, 1000};
    options.http_cors_origins = {"https://portal.example.com"};
    keyed_ = StartServer(options);
    ASSERT_NE(keyed_, nullptr);
    ASSERT_NE(keyed_->http_port(), 0);
    channel_ = ChannelTo(*keyed_);
    http_ = std::make_unique<HttpClient>(keyed_->http_port());
  }

  void TearDown() override {
    http_.reset();
    keyed_.reset();
    PlauditTest::TearDown();
  }

  // `method` ("RuleService/CreateRule") over gRPC with the request as JSON.
  Result ViaGrpc(const std::string& method, const std::string& request_json) {
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    const auto* descriptor = pool->FindMethodByName(
        absl::StrCat("plaudit.v1.", absl::StrReplaceAll(method, {{"/", "."}})));
    EXPECT_NE(descriptor, nullptr) << method;
    if (descriptor == nullptr) return {};
    auto* factory = google::protobuf::MessageFactory::generated_factory();
    std::unique_ptr<google::protobuf::Message> request(
        factory->GetPrototype(descriptor->input_type())->New());
    std::unique_ptr<google::protobuf::Message> response(
        factory->GetPrototype(descriptor->output_type())->New());
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(request_json, request.get())
            .ok())
        << request_json;
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + grpc_admin_);
    const grpc::Status status = grpc::internal::BlockingUnaryCall(
        channel_.get(),
        grpc::internal::RpcMethod(absl::StrCat("/plaudit.v1.", method).c_str(),
                                  grpc::internal::RpcMethod::NORMAL_RPC),
        &context, *request, response.get());
    Result result;
    result.http_status = HttpStatusOf(status.error_code());
    result.status =
        StatusCodeName(static_cast<absl::StatusCode>(status.error_code()));
    result.reason = ErrorReasonOf(status);
    result.message = status.ok() ? "" : status.error_message();
    if (status.ok()) result.json = ToJson(*response);
    return result;
  }

  HttpReply Http(const std::string& method, const std::string& target,
                 const std::string& body = "",
                 std::map<std::string, std::string> headers = {},
                 const std::string& key = "") {
    headers.emplace("authorization",
                    "Bearer " + (key.empty() ? http_admin_ : key));
    return http_->Send(method, target, body, headers);
  }

  std::string grpc_admin_, http_admin_, http_reader_, revoked_, slow_key_;
  std::unique_ptr<PlauditServer> keyed_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<HttpClient> http_;
};

struct Case {
  const char* name;
  const char* grpc_method;
  const char* grpc_request;
  const char* verb;
  const char* target;
  const char* body;
  const char* idempotency_key = "";
};

// Run in order on two tenants with the same history: one through gRPC,
// one through HTTP.
const Case kCases[] = {
    {"create a rule", "RuleService/CreateRule",
     R"({"rule":{"ruleId":"post","action":"post.created","recipient":"ACTOR","points":10}})",
     "POST", "/v1/rules",
     R"({"ruleId":"post","action":"post.created","recipient":"ACTOR","points":10})"},
    {"create it again", "RuleService/CreateRule",
     R"({"rule":{"ruleId":"post","action":"post.created","recipient":"ACTOR","points":10}})",
     "POST", "/v1/rules",
     R"({"ruleId":"post","action":"post.created","recipient":"ACTOR","points":10})"},
    {"a bad rule", "RuleService/CreateRule",
     R"({"rule":{"ruleId":"bad rule!","action":"x","recipient":"ACTOR","points":1}})",
     "POST", "/v1/rules",
     R"({"ruleId":"bad rule!","action":"x","recipient":"ACTOR","points":1})"},
    {"sync a user", "UserService/UpsertUser",
     R"({"user":{"userId":"ann","displayName":"Ann","groups":["dept:sales"]}})",
     "PUT", "/v1/users/ann",
     R"({"displayName":"Ann","groups":["dept:sales"]})"},
    {"a user id with a slash", "UserService/UpsertUser",
     R"({"user":{"userId":"team/lead","displayName":"Lead","managerId":"ann"}})",
     "PUT", "/v1/users/team%2Flead",
     R"({"displayName":"Lead","managerId":"ann"})"},
    {"a manager loop", "UserService/UpsertUser",
     R"({"user":{"userId":"ann","managerId":"team/lead"}})", "PUT",
     "/v1/users/ann", R"({"managerId":"team/lead"})"},
    {"record an event", "EventService/RecordEvent",
     R"({"event":{"eventId":"e1","action":"post.created","actorId":"ann"}})",
     "POST", "/v1/events",
     R"({"event":{"eventId":"e1","action":"post.created","actorId":"ann"}})"},
    {"record it again", "EventService/RecordEvent",
     R"({"event":{"eventId":"e1","action":"post.created","actorId":"ann"}})",
     "POST", "/v1/events",
     R"({"event":{"eventId":"e1","action":"post.created","actorId":"ann"}})"},
    {"an event id from Idempotency-Key", "EventService/RecordEvent",
     R"({"event":{"eventId":"k2","action":"post.created","actorId":"team/lead"}})",
     "POST", "/v1/events",
     R"({"event":{"action":"post.created","actorId":"team/lead"}})", "k2"},
    {"an event without actor", "EventService/RecordEvent",
     R"({"event":{"eventId":"e3","action":"post.created"}})", "POST",
     "/v1/events", R"({"event":{"eventId":"e3","action":"post.created"}})"},
    {"a batch", "EventService/RecordEvents",
     R"({"events":[{"eventId":"b1","action":"post.created","actorId":"ann"},{"eventId":"b2","action":"like","actorId":"ann"}]})",
     "POST", "/v1/events:batch",
     R"({"events":[{"eventId":"b1","action":"post.created","actorId":"ann"},{"eventId":"b2","action":"like","actorId":"ann"}]})"},
    {"a balance", "AccountService/GetBalance", R"({"userId":"ann"})", "GET",
     "/v1/users/ann/balance", ""},
    {"a leaderboard", "LeaderboardService/GetLeaderboard",
     R"({"scope":"global","period":"WEEK","pageSize":10})", "GET",
     "/v1/leaderboards/global/week?page_size=10", ""},
    {"a rank", "LeaderboardService/GetRank",
     R"({"scope":"dept:sales","period":"ALL_TIME","userId":"ann"})", "GET",
     "/v1/leaderboards/dept:sales/ALL_TIME/ranks/ann", ""},
    {"a board of a group nobody is in", "LeaderboardService/GetLeaderboard",
     R"({"scope":"dept:nobody","period":"WEEK"})", "GET",
     "/v1/leaderboards/dept:nobody/week", ""},
    {"a deduction below zero", "AccountService/AdjustBalance",
     R"({"userId":"ann","delta":"-1000","reason":"oops","requestId":"r1"})",
     "POST", "/v1/users/ann/balance:adjust",
     R"({"delta":"-1000","reason":"oops","requestId":"r1"})"},
    {"a reward", "RewardService/CreateReward",
     R"({"reward":{"rewardId":"mug","title":"Mug","cost":5}})", "POST",
     "/v1/rewards", R"({"rewardId":"mug","title":"Mug","cost":5})"},
    {"redeem with an Idempotency-Key", "RewardService/Redeem",
     R"({"userId":"ann","rewardId":"mug","quantity":1,"requestId":"q1"})",
     "POST", "/v1/rewards/mug:redeem", R"({"userId":"ann","quantity":1})",
     "q1"},
    {"redeem beyond the balance", "RewardService/Redeem",
     R"({"userId":"ann","rewardId":"mug","quantity":100,"requestId":"q2"})",
     "POST", "/v1/rewards/mug:redeem",
     R"({"userId":"ann","quantity":100,"requestId":"q2"})"},
    {"an unknown user", "UserService/GetUser", R"({"userId":"nobody"})", "GET",
     "/v1/users/nobody", ""},
    {"patch a rule (mask from the body)", "RuleService/UpdateRule",
     R"({"rule":{"ruleId":"post","points":20},"updateMask":"points"})", "PATCH",
     "/v1/rules/post", R"({"points":20})"},
    {"a rule", "RuleService/GetRule", R"({"ruleId":"post"})", "GET",
     "/v1/rules/post", ""},
    {"an unknown time zone", "TenantService/UpdateTenantSettings",
     R"({"settings":{"timeZone":"Mars/Base"},"updateMask":"time_zone"})",
     "PATCH", "/v1/settings?update_mask=time_zone",
     R"({"timeZone":"Mars/Base"})"},
    {"deactivate a stranger", "UserService/DeactivateUser",
     R"({"userId":"nobody","reason":"left"})", "POST",
     "/v1/users/nobody:deactivate", R"({"reason":"left"})"},
    {"engagement", "AnalyticsService/GetEngagement",
     R"({"scope":"global","period":"MONTH"})", "GET",
     "/v1/engagement/global/month", ""},
    {"an engagement series (a custom verb after a variable)",
     "AnalyticsService/GetEngagementSeries",
     R"({"scope":"global","period":"WEEK","buckets":3})", "GET",
     "/v1/engagement/global/week:series?buckets=3", ""},
};

TEST_F(HttpTest, BothTransportsGiveTheSameResults) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Result grpc = ViaGrpc(c.grpc_method, c.grpc_request);
    std::map<std::string, std::string> headers;
    if (*c.idempotency_key) headers["idempotency-key"] = c.idempotency_key;
    const Result http = FromHttp(Http(c.verb, c.target, c.body, headers));
    EXPECT_EQ(Describe(http), Describe(grpc));
  }
  EXPECT_EQ(http_->connections_opened(), 1);  // keep-alive held throughout
}

TEST_F(HttpTest, EveryRpcHasARouteAndEveryRouteReachesItsMethod) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const char* name : kServices) {
    services.push_back(
        pool->FindServiceByName(absl::StrCat("plaudit.v1.", name)));
    const auto* service = services.back();
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      if (method->full_name() == "plaudit.v1.EventService.StreamEvents")
        continue;
      EXPECT_TRUE(method->options().HasExtension(google::api::http))
          << method->full_name() << " has no google.api.http route";
    }
  }
  absl::StatusOr<RouteTable> table = RouteTable::Build(services);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->routes().size(), 48u);
  for (const Route& route : table->routes()) {
    // Event streams never end: reached in TheWatchStreamIsAnEventStream.
    if (route.method->server_streaming()) continue;
    std::string path;
    for (const std::string& segment : route.segments) {
      const bool variable = absl::StartsWith(segment, "{");
      absl::StrAppend(&path, "/",
                      !variable                              ? segment
                      : absl::StrContains(segment, "period") ? "week"
                                                             : "x");
    }
    if (!route.custom_verb.empty())
      absl::StrAppend(&path, ":", route.custom_verb);
    const HttpReply reply =
        Http(route.verb, path, route.body.empty() ? "" : "{}");
    const Result result = FromHttp(reply);
    EXPECT_NE(result.reason, "NO_ROUTE") << route.verb << " " << path;
    EXPECT_NE(result.reason, "METHOD_NOT_ALLOWED") << route.verb << " " << path;
    // An admin key reaches every method but the operator's.
    if (route.method->name() != "ListTenants" &&
        route.method->name() != "CreateTenant") {
      EXPECT_NE(result.reason, "ROLE_FORBIDDEN") << route.verb << " " << path;
    }
  }
}

TEST_F(HttpTest, KeysAndRolesAreCheckedAsOverGrpc) {
  const std::string event =
      R"({"event":{"eventId":"a1","action":"like","actorId":"ann"}})";
  HttpReply reply = http_->Send("POST", "/v1/events", event);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(FromHttp(reply).reason, "KEY_MISSING");
  reply = Http("POST", "/v1/events", event, {}, revoked_);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(FromHttp(reply).reason, "KEY_REJECTED");
  reply = Http("POST", "/v1/events", event, {}, http_reader_);
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(FromHttp(reply).reason, "ROLE_FORBIDDEN");
  reply = Http("GET", "/v1/users/ann/balance", "", {}, http_reader_);
  EXPECT_EQ(reply.status, 200) << reply.body;
  // A key of one tenant naming another.
  reply =
      Http("GET", "/v1/users/ann/balance", "", {{"plaudit-tenant", "viagrpc"}});
  EXPECT_EQ(FromHttp(reply).reason, "TENANT_MISMATCH");
}

TEST_F(HttpTest, ThrottlingSeesTheHttpCallersAddress) {
  HttpReply reply;
  for (int i = 0; i < 40 && reply.status != 429; ++i) {
    reply = Http("GET", "/v1/users/ann/balance", "", {},
                 "plk.viahttp.0000000000000000." + std::string(48, 'a'));
  }
  ASSERT_EQ(reply.status, 429) << reply.body;
  EXPECT_EQ(FromHttp(reply).reason, "AUTH_THROTTLED");
  EXPECT_TRUE(absl::StrContains(reply.body, "ipv4:127.0.0.1")) << reply.body;
  EXPECT_FALSE(reply.Header("retry-after").empty());
}

TEST_F(HttpTest, BadInputIsRefusedClearlyAndChangesNothing) {
  ASSERT_EQ(Http("PUT", "/v1/users/ann", R"({"displayName":"Ann"})").status,
            200);
  const std::string before = DataDigest();
  struct Bad {
    const char* verb;
    const char* target;
    std::string body;
    int status;
    const char* reason;
    const char* says;
  };
  const Bad cases[] = {
      {"POST", "/v1/events", R"({"event": {)", 400, "MALFORMED_REQUEST",
       "body: "},
      {"POST", "/v1/events", R"({"event":{"eventId":"x","colour":"red"}})", 400,
       "MALFORMED_REQUEST", "colour"},
      {"POST", "/v1/users/ann/balance:adjust",
       R"({"delta":"lots","reason":"r","requestId":"i"})", 400,
       "MALFORMED_REQUEST", "body: "},
      {"POST", "/v1/users/ann/balance:adjust",
       R"({"delta":"99999999999999999999","reason":"r","requestId":"i"})", 400,
       "MALFORMED_REQUEST", "body: "},
      {"GET", "/v1/leaderboards/global/week?page_size=many", "", 400,
       "MALFORMED_REQUEST", "query parameter page_size"},
      {"GET", "/v1/leaderboards/global/week?colour=red", "", 400,
       "MALFORMED_REQUEST", "query parameter colour"},
      {"GET", "/v1/users/a%00b/balance", "", 400, "MALFORMED_REQUEST", "%00"},
      {"GET", "/v1/nothing", "", 404, "NO_ROUTE", "no route"},
      {"DELETE", "/v1/users/ann/balance", "", 405, "METHOD_NOT_ALLOWED",
       "allowed: GET"},
      {"POST", "/v1/events", std::string(9 << 20, ' '), 413, "", "larger"},
  };
  for (const Bad& bad : cases) {
    SCOPED_TRACE(absl::StrCat(bad.verb, " ", bad.target));
    const HttpReply reply = Http(bad.verb, bad.target, bad.body);
    EXPECT_EQ(reply.status, bad.status) << reply.body;
    if (*bad.reason) {
      EXPECT_EQ(FromHttp(reply).reason, bad.reason);
    }
    EXPECT_TRUE(absl::StrContains(reply.body, bad.says)) << reply.body;
  }
  // Bytes gRPC metadata cannot carry (they would abort the process there).
  HttpReply latin =
      Http("GET", "/v1/users/ann", "", {{"plaudit-actor", "Jos\xe9"}});
  EXPECT_EQ(latin.status, 400) << latin.body;
  EXPECT_TRUE(absl::StrContains(latin.body, "plaudit-actor")) << latin.body;
  const HttpReply form =
      Http("POST", "/v1/events", "event=1",
           {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415) << form.body;
  EXPECT_EQ(DataDigest(), before);
  // And it still serves, on both transports.
  EXPECT_EQ(Http("GET", "/v1/users/ann").status, 200);
  EXPECT_EQ(ViaGrpc("UserService/GetUser", R"({"userId":"nobody"})").status,
            "NOT_FOUND");
}

TEST_F(HttpTest, BrowsersOfListedOriginsOnly) {
  const std::map<std::string, std::string> preflight = {
      {"origin", "https://portal.example.com"},
      {"access-control-request-method", "POST"},
      {"access-control-request-headers", "authorization, content-type"}};
  HttpReply reply = http_->Send("OPTIONS", "/v1/events", "", preflight);
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(reply.Header("access-control-allow-origin"),
            "https://portal.example.com");
  EXPECT_TRUE(
      absl::StrContains(reply.Header("access-control-allow-methods"), "POST"));
  EXPECT_TRUE(absl::StrContains(reply.Header("access-control-allow-headers"),
                                "authorization"));
  auto evil = preflight;
  evil["origin"] = "https://evil.example.com";
  reply = http_->Send("OPTIONS", "/v1/events", "", evil);
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(FromHttp(reply).reason, "CORS_ORIGIN_REFUSED");
  EXPECT_EQ(reply.Header("access-control-allow-origin"), "");

  reply = Http("GET", "/v1/users/ann/balance", "",
               {{"origin", "https://portal.example.com"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("access-control-allow-origin"),
            "https://portal.example.com");
  EXPECT_EQ(reply.Header("vary"), "Origin");
  reply = Http("GET", "/v1/users/ann/balance", "",
               {{"origin", "https://evil.example.com"}});
  EXPECT_EQ(reply.Header("access-control-allow-origin"), "");
}

// Thousands of idle keep-alive connections cost sockets, not threads: a
// new caller is still answered while they stay open.
TEST_F(HttpTest, TwoThousandIdleConnectionsLeaveRoomForMore) {
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.push_back(std::make_unique<HttpClient>(keyed_->http_port()));
    ASSERT_EQ(idle.back()->Send("GET", "/healthz").status, 200) << i;
  }
  HttpClient fresh(keyed_->http_port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(fresh
                  .Send("GET", "/v1/users/ann/balance", "",
                        {{"authorization", "Bearer " + http_admin_}})
                  .status,
              200);
  }
  // The idle ones are still open and answered on the same connection.
  EXPECT_EQ(idle.front()->Send("GET", "/healthz").status, 200);
  EXPECT_EQ(idle.front()->connections_opened(), 1);
  EXPECT_EQ(idle.back()->Send("GET", "/healthz").status, 200);
  EXPECT_EQ(idle.back()->connections_opened(), 1);
}

// A client that dribbles its request head is closed when the head's time
// is up; the server goes on serving.
TEST_F(HttpTest, ASlowClientIsClosed) {
  ServerOptions options = Options();
  options.http_listen = "127.0.0.1:0";
  options.limits.handshake_timeout = absl::Milliseconds(300);
  std::unique_ptr<PlauditServer> server = StartServer(options);
  ASSERT_NE(server, nullptr);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket slow(io);
  slow.connect({boost::asio::ip::make_address("127.0.0.1"),
                static_cast<unsigned short>(server->http_port())});
  boost::system::error_code error;
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  bool closed = false;
  for (size_t i = 0; i < head.size() && !closed; ++i) {
    boost::asio::write(slow, boost::asio::buffer(&head[i], 1), error);
    closed = error.failed();
    absl::SleepFor(absl::Milliseconds(50));
  }
  char byte;
  if (!closed) slow.read_some(boost::asio::buffer(&byte, 1), error);
  EXPECT_TRUE(closed || error == boost::asio::error::eof ||
              error == boost::asio::error::connection_reset)
      << error.message();
  HttpClient fresh(server->http_port());
  EXPECT_EQ(fresh.Send("GET", "/healthz").status, 200);
}

TEST_F(HttpTest, HealthAndReadiness) {
  EXPECT_EQ(http_->Send("GET", "/healthz").status, 200);
  EXPECT_EQ(http_->Send("GET", "/readyz").status, 200);
  redis_.reset();  // Redis gone: still alive, not ready
  EXPECT_EQ(http_->Send("GET", "/healthz").status, 200);
  const HttpReply ready = http_->Send("GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
}

TEST_F(HttpTest, RateLimitedCallsGet429WithRetryAfter) {
  v1::KeyFile file;
  slow_key_ = AddKey(&file, "slow", v1::READER);
  ServerOptions options = KeyedOptions(file);
  options.http_listen = "127.0.0.1:0";
  options.rate_limit = {0.5, 2};
  std::unique_ptr<PlauditServer> slow = StartServer(options);
  ASSERT_NE(slow, nullptr);
  HttpClient client(slow->http_port());
  HttpReply reply;
  for (int i = 0; i < 5 && reply.status != 429; ++i) {
    reply = client.Send("GET", "/v1/users/ann/balance", "",
                        {{"authorization", "Bearer " + slow_key_}});
  }
  EXPECT_EQ(reply.status, 429) << reply.body;
  EXPECT_EQ(FromHttp(reply).reason, "RATE_LIMITED");
  EXPECT_EQ(reply.Header("retry-after"), "2");
}

// WatchNotifications over HTTP: Server-Sent Events, each with the
// notification's id, resumed after the Last-Event-ID; refusals are JSON.
TEST_F(HttpTest, TheWatchStreamIsAnEventStream) {
  ASSERT_EQ(Http("POST", "/v1/rules",
                 R"({"ruleId":"post","action":"post.created","recipient":"ACTOR","points":10})")
                .status,
            200);
  auto post = [&](const std::string& id) {
    ASSERT_EQ(Http("POST", "/v1/events",
                   absl::StrCat(R"({"event":{"eventId":")", id,
                                R"(","action":"post.created","actorId":"ann"}})"))
                  .status,
              200);
  };
  const std::map<std::string, std::string> auth = {
      {"authorization", "Bearer " + http_admin_}};
  EventStreamClient watch(keyed_->http_port(), "/v1/notifications:watch", auth);
  ASSERT_EQ(watch.reply().status, 200) << watch.reply().body;
  EXPECT_EQ(watch.reply().Header("content-type"),
            "text/event-stream; charset=utf-8");
  for (const char* id : {"p1", "p2", "p3"}) post(id);
  std::vector<SseEvent> events;
  for (int i = 0; i < 3; ++i) {
    std::optional<SseEvent> event = watch.Next();
    ASSERT_TRUE(event.has_value()) << i;
    events.push_back(*event);
  }
  EXPECT_EQ(events[0].event, "award.paid");
  google::protobuf::Struct data;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(events[0].data, &data).ok())
      << events[0].data;
  EXPECT_EQ(data.fields().at("id").string_value(), events[0].id);
  EXPECT_EQ(data.fields()
                .at("awardPaid")
                .struct_value()
                .fields()
                .at("eventId")
                .string_value(),
            "p1");

  // A browser resuming sends the last id it saw; the key may ride in the
  // query string, where EventSource cannot send headers.
  EventStreamClient resumed(
      keyed_->http_port(),
      absl::StrCat("/v1/notifications:watch?access_token=", http_admin_),
      {{"last-event-id", events[0].id}});
  ASSERT_EQ(resumed.reply().status, 200) << resumed.reply().body;
  EXPECT_EQ(resumed.Next()->id, events[1].id);
  EXPECT_EQ(resumed.Next()->id, events[2].id);
  post("p4");
  EXPECT_EQ(watch.Next()->event, "award.paid");
  const std::optional<SseEvent> fourth = resumed.Next();
  ASSERT_TRUE(fourth.has_value());
  EXPECT_TRUE(absl::StrContains(fourth->data, "\"p4\"")) << fourth->data;

  // Refused before it begins: JSON errors, as on every route.
  EventStreamClient anonymous(keyed_->http_port(), "/v1/notifications:watch");
  EXPECT_EQ(anonymous.reply().status, 401) << anonymous.reply().body;
  EventStreamClient reader(keyed_->http_port(), "/v1/notifications:watch",
                           {{"authorization", "Bearer " + http_reader_}});
  EXPECT_EQ(reader.reply().status, 403) << reader.reply().body;
  EventStreamClient bad_kind(keyed_->http_port(),
                             "/v1/notifications:watch?kinds=award.paidd", auth);
  EXPECT_EQ(bad_kind.reply().status, 400);
  EXPECT_EQ(FromHttp(bad_kind.reply()).reason, "INVALID_FIELD");
  ASSERT_TRUE(redis_->client()
                  .Run({"SET", KeySchema("viahttp").OutboxTrimmed(),
                        "99999999999999-0"})
                  .ok());
  EventStreamClient expired(keyed_->http_port(), "/v1/notifications:watch",
                            {{"authorization", "Bearer " + http_admin_},
                             {"last-event-id", events[0].id}});
  EXPECT_EQ(expired.reply().status, 400) << expired.reply().body;
  EXPECT_EQ(FromHttp(expired.reply()).reason, "CURSOR_EXPIRED");
  // access_token belongs to event streams alone.
  EXPECT_EQ(http_->Send("GET", absl::StrCat("/v1/users/ann/balance?access_token=",
                                            http_admin_))
                .status,
            400);
}

// A thousand event streams whose clients never read cost the server a
// cursor each: it goes on answering at once, over both transports.
TEST_F(HttpTest, AThousandEventStreamsThatNeverReadLeaveTheServerServing) {
  // A replica whose key may open a thousand streams at once.
  v1::KeyFile file;
  const std::string key = AddKey(&file, "viahttp", v1::ADMIN);
  ServerOptions options = KeyedOptions(file);
  options.http_listen = "127.0.0.1:0";
  options.rate_limit = {100'000, 100'000};
  keyed_ = StartServer(options);
  ASSERT_NE(keyed_, nullptr);
  http_admin_ = key;
  http_ = std::make_unique<HttpClient>(keyed_->http_port());
  channel_ = ChannelTo(*keyed_);
  ASSERT_EQ(Http("POST", "/v1/rules",
                 R"({"ruleId":"post","action":"post.created","recipient":"ACTOR","points":10})")
                .status,
            200);
  boost::asio::io_context io;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> silent;
  const std::string request = absl::StrCat(
      "GET /v1/notifications:watch HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer ", http_admin_, "\r\n\r\n");
  for (int i = 0; i < 1000; ++i) {
    auto socket = std::make_unique<boost::asio::ip::tcp::socket>(io);
    socket->connect({boost::asio::ip::make_address("127.0.0.1"),
                     static_cast<unsigned short>(keyed_->http_port())});
    boost::asio::write(*socket, boost::asio::buffer(request));
    silent.push_back(std::move(socket));
  }
  // Every one of them is followed (a watcher that never reads included).
  EventStreamClient reading(keyed_->http_port(), "/v1/notifications:watch",
                            {{"authorization", "Bearer " + http_admin_}});
  ASSERT_EQ(reading.reply().status, 200);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Http("POST", "/v1/events",
                   absl::StrCat(R"({"event":{"eventId":"s)", i,
                                R"(","action":"post.created","actorId":"ann"}})"))
                  .status,
              200);
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(reading.Next().has_value()) << i;
  HttpClient fresh(keyed_->http_port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(fresh.Send("GET", "/v1/users/ann/balance", "",
                         {{"authorization", "Bearer " + http_admin_}})
                  .status,
              200);
  }
  grpc::ClientContext context;
  v1::GetBalanceRequest balance;
  balance.set_user_id("ann");
  v1::GetBalanceResponse answer;
  context.AddMetadata("authorization", "Bearer " + http_admin_);
  EXPECT_TRUE(v1::AccountService::NewStub(channel_)
                  ->GetBalance(&context, balance, &answer)
                  .ok());
  EXPECT_EQ(answer.balance().balance(), 200);
}

}  // namespace
}  // namespace plaudit::testing
