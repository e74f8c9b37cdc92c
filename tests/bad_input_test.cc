// Every malformed request is refused with INVALID_ARGUMENT naming the field,
// and nothing is written: Redis' data digest is unchanged.
#include <functional>

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

struct BadRequest {
  std::string name;
  std::string field;  // expected in the error message
  std::function<grpc::Status(Client&)> call;
};

v1::Event GoodEvent(const std::string& id) {
  v1::Event event;
  event.set_event_id(id);
  event.set_action("post.created");
  event.set_actor_id("ann");
  return event;
}

grpc::Status RecordOne(Client& client, const v1::Event& event) {
  v1::RecordEventRequest request;
  *request.mutable_event() = event;
  v1::RecordEventResponse response;
  grpc::ClientContext context;
  return client.events->RecordEvent(&context, request, &response);
}

grpc::Status RecordBatch(Client& client, const std::vector<v1::Event>& events) {
  v1::RecordEventsRequest request;
  for (const auto& event : events) *request.add_events() = event;
  v1::RecordEventsResponse response;
  grpc::ClientContext context;
  return client.events->RecordEvents(&context, request, &response);
}

grpc::Status CreateRule(Client& client, std::function<void(v1::Rule&)> edit) {
  v1::CreateRuleRequest request;
  v1::Rule& rule = *request.mutable_rule();
  rule.set_rule_id("r");
  rule.set_action("like");
  rule.set_recipient(v1::Rule::SUBJECT);
  rule.set_points(2);
  edit(rule);
  v1::CreateRuleResponse response;
  grpc::ClientContext context;
  return client.rules->CreateRule(&context, request, &response);
}

// Sends `bytes` as the request of `method` ("/plaudit.v1.X/Y"), whatever
// they are: what a careless client or a broken proxy might send.
grpc::Status SendBytes(Client& client, const std::string& method,
                       const std::string& bytes) {
  grpc::ClientContext context;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  return grpc::internal::BlockingUnaryCall(
      client.channel.get(),
      grpc::internal::RpcMethod(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC),
      &context, request, &response);
}

// A message's bytes with a string field holding `raw` (protobuf itself
// refuses to serialize invalid UTF-8 in a string field).
template <typename Message>
std::string WithRawString(Message message, std::function<void(Message&)> edit) {
  edit(message);
  std::string bytes;
  message.SerializePartialToString(&bytes);
  return bytes;
}

const std::string kNotUtf8("\xC3\x28\xA0", 3);

std::vector<BadRequest> BadRequests() {
  std::vector<BadRequest> cases;
  auto event_case = [&](std::string name, std::string field,
                        std::function<void(v1::Event&)> edit) {
    cases.push_back({name, field, [edit](Client& c) {
                       v1::Event event = GoodEvent("e-bad");
                       edit(event);
                       return RecordOne(c, event);
                     }});
  };
  event_case("empty event id", "event.event_id",
             [](v1::Event& e) { e.clear_event_id(); });
  event_case("long event id", "event.event_id",
             [](v1::Event& e) { e.set_event_id(std::string(129, 'x')); });
  event_case("missing actor", "event.actor_id",
             [](v1::Event& e) { e.clear_actor_id(); });
  event_case("bad action", "event.action",
             [](v1::Event& e) { e.set_action("Post Created"); });
  event_case("long subject", "event.subject_id",
             [](v1::Event& e) { e.set_subject_id(std::string(200, 's')); });
  event_case("future", "event.occurred_at",
             [](v1::Event& e) { e.mutable_occurred_at()->set_seconds(4'000'000'000); });
  event_case("too many tags", "event.tags", [](v1::Event& e) {
    for (int i = 0; i < 40; ++i) e.add_tags("t");
  });

  cases.push_back({"empty batch", "events",
                   [](Client& c) { return RecordBatch(c, {}); }});
  cases.push_back({"batch over the limit", "events", [](Client& c) {
                     std::vector<v1::Event> events;
                     for (int i = 0; i < 1001; ++i) {
                       events.push_back(GoodEvent(absl::StrCat("b", i)));
                     }
                     return RecordBatch(c, events);
                   }});
  cases.push_back({"one bad event spoils the batch", "events[2].event_id",
                   [](Client& c) {
                     v1::Event bad = GoodEvent("");
                     return RecordBatch(c, {GoodEvent("ok-1"), GoodEvent("ok-2"),
                                            bad, GoodEvent("ok-3")});
                   }});

  auto rule_case = [&](std::string name, std::string field,
                       std::function<void(v1::Rule&)> edit) {
    cases.push_back({name, field,
                     [edit](Client& c) { return CreateRule(c, edit); }});
  };
  rule_case("rule id with colon", "rule.rule_id",
            [](v1::Rule& r) { r.set_rule_id("a:b"); });
  rule_case("unknown recipient", "rule.recipient", [](v1::Rule& r) {
    r.set_recipient(static_cast<v1::Rule::Recipient>(9));
  });
  rule_case("huge points", "rule.points",
            [](v1::Rule& r) { r.set_points(5'000'000'000); });
  rule_case("negative limit", "rule.daily_limit",
            [](v1::Rule& r) { r.set_daily_limit(-3); });
  rule_case("zero multiplier", "rule.tag_bonuses[x]",
            [](v1::Rule& r) { (*r.mutable_tag_bonuses())["x"] = 0; });
  rule_case("bad group", "rule.group", [](v1::Rule& r) { r.set_group("kazan"); });

  cases.push_back({"negative page size", "page_size", [](Client& c) {
                     v1::ListRulesRequest request;
                     request.set_page_size(-1);
                     v1::ListRulesResponse response;
                     grpc::ClientContext context;
                     return c.rules->ListRules(&context, request, &response);
                   }});
  cases.push_back({"huge page size", "page_size", [](Client& c) {
                     v1::ListTransactionsRequest request;
                     request.set_user_id("ann");
                     request.set_page_size(1'000'000);
                     v1::ListTransactionsResponse response;
                     grpc::ClientContext context;
                     return c.accounts->ListTransactions(&context, request,
                                                         &response);
                   }});
  cases.push_back({"tampered page token", "page_token", [](Client& c) {
                     v1::ListTransactionsRequest request;
                     request.set_user_id("ann");
                     request.set_page_token("bm90LWEtdG9rZW4");
                     v1::ListTransactionsResponse response;
                     grpc::ClientContext context;
                     return c.accounts->ListTransactions(&context, request,
                                                         &response);
                   }});
  auto adjust_case = [&](std::string name, std::string field,
                         std::function<void(v1::AdjustBalanceRequest&)> edit) {
    cases.push_back({name, field, [edit](Client& c) {
                       v1::AdjustBalanceRequest request;
                       request.set_user_id("ann");
                       request.set_delta(10);
                       request.set_reason("bonus");
                       request.set_request_id("req-1");
                       edit(request);
                       v1::AdjustBalanceResponse response;
                       grpc::ClientContext context;
                       return c.accounts->AdjustBalance(&context, request,
                                                        &response);
                     }});
  };
  adjust_case("zero delta", "delta", [](auto& r) { r.set_delta(0); });
  adjust_case("huge delta", "delta", [](auto& r) { r.set_delta(1LL << 40); });
  adjust_case("no reason", "reason", [](auto& r) { r.clear_reason(); });
  adjust_case("no request id", "request_id",
              [](auto& r) { r.clear_request_id(); });
  cases.push_back({"update with an invalid merged rule", "rule.points",
                   [](Client& c) {
                     v1::UpdateRuleRequest request;
                     request.mutable_rule()->set_rule_id("post");
                     request.mutable_rule()->set_points(-9'000'000);
                     request.mutable_update_mask()->add_paths("points");
                     v1::UpdateRuleResponse response;
                     grpc::ClientContext context;
                     return c.rules->UpdateRule(&context, request, &response);
                   }});
  cases.push_back({"update of the id", "update_mask", [](Client& c) {
                     v1::UpdateRuleRequest request;
                     request.mutable_rule()->set_rule_id("post");
                     request.mutable_update_mask()->add_paths("rule_id");
                     v1::UpdateRuleResponse response;
                     grpc::ClientContext context;
                     return c.rules->UpdateRule(&context, request, &response);
                   }});
  cases.push_back({"delete with a bad id", "rule_id", [](Client& c) {
                     v1::DeleteRuleRequest request;
                     request.set_rule_id("post everything");
                     v1::DeleteRuleResponse response;
                     grpc::ClientContext context;
                     return c.rules->DeleteRule(&context, request, &response);
                   }});
  cases.push_back({"revisions with a foreign token", "page_token",
                   [](Client& c) {
                     v1::ListRuleRevisionsRequest request;
                     request.set_rule_id("post");
                     request.set_page_token(
                         "MTIzfHJ1bGVzfHBvc3Q");  // not a revisions token
                     v1::ListRuleRevisionsResponse response;
                     grpc::ClientContext context;
                     return c.rules->ListRuleRevisions(&context, request,
                                                       &response);
                   }});
  cases.push_back({"retract without an id", "event_id", [](Client& c) {
                     v1::RetractEventRequest request;
                     v1::RetractEventResponse response;
                     grpc::ClientContext context;
                     return c.events->RetractEvent(&context, request, &response);
                   }});
  cases.push_back({"user id too long", "user_id", [](Client& c) {
                     v1::GetUserRequest request;
                     request.set_user_id(std::string(300, 'u'));
                     v1::GetUserResponse response;
                     grpc::ClientContext context;
                     return c.users->GetUser(&context, request, &response);
                   }});
  cases.push_back({"upsert without a user id", "user.user_id", [](Client& c) {
                     v1::UpsertUserRequest request;
                     request.mutable_user()->set_display_name("Nobody");
                     v1::UpsertUserResponse response;
                     grpc::ClientContext context;
                     return c.users->UpsertUser(&context, request, &response);
                   }});
  cases.push_back({"user with a bad group", "users[1].groups[0]",
                   [](Client& c) {
                     v1::ImportUsersRequest request;
                     request.add_users()->set_user_id("ok");
                     v1::User* bad = request.add_users();
                     bad->set_user_id("bad");
                     bad->add_groups("no colon");
                     v1::ImportUsersResponse response;
                     grpc::ClientContext context;
                     return c.users->ImportUsers(&context, request, &response);
                   }});
  // Requests that are not their method's message at all.
  auto bytes_case = [&](std::string name, std::string field, std::string method,
                        std::string bytes) {
    cases.push_back({name, field, [method, bytes](Client& c) {
                       return SendBytes(c, method, bytes);
                     }});
  };
  v1::RecordEventRequest event_request;
  *event_request.mutable_event() = GoodEvent("e-raw");
  const std::string event_bytes = event_request.SerializeAsString();
  bytes_case("truncated event", "request", "/plaudit.v1.EventService/RecordEvent",
             event_bytes.substr(0, event_bytes.size() - 2));
  bytes_case("not protobuf", "request", "/plaudit.v1.UserService/UpsertUser",
             "\xff\xff\xff\xff garbage");
  bytes_case("truncated adjustment", "request",
             "/plaudit.v1.AccountService/AdjustBalance", "\x0a\x05an");
  bytes_case("actor_id not UTF-8", "event.actor_id",
             "/plaudit.v1.EventService/RecordEvent",
             WithRawString<v1::RecordEventRequest>(
                 event_request, [](auto& r) { r.mutable_event()->set_actor_id(kNotUtf8); }));
  v1::RecordEventsRequest batch;
  *batch.add_events() = GoodEvent("e-raw-1");
  *batch.add_events() = GoodEvent("e-raw-2");
  bytes_case("a tag not UTF-8", "events[1].tags[0]",
             "/plaudit.v1.EventService/RecordEvents",
             WithRawString<v1::RecordEventsRequest>(
                 batch, [](auto& r) { r.mutable_events(1)->add_tags(kNotUtf8); }));
  bytes_case("user_id not UTF-8 (a blocking handler)", "user_id",
             "/plaudit.v1.AccountService/GetBalance",
             WithRawString<v1::GetBalanceRequest>(
                 {}, [](auto& r) { r.set_user_id(kNotUtf8); }));
  return cases;
}

using BadInputTest = PlauditTest;

TEST_F(BadInputTest, EveryBadRequestIsRefusedNamingTheFieldAndWritesNothing) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  Record(MakeEvent("seed", "post.created", "ann"));  // a balance to protect
  const std::string before = DataDigest();
  for (const BadRequest& bad : BadRequests()) {
    const grpc::Status status = bad.call(*client_);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad.name << ": " << status.error_message();
    EXPECT_NE(status.error_message().find(bad.field), std::string::npos)
        << bad.name << ": message \"" << status.error_message()
        << "\" does not name " << bad.field;
    EXPECT_NE(ErrorReasonOf(status), "") << bad.name;
    EXPECT_EQ(DataDigest(), before) << bad.name << " wrote something";
  }
  EXPECT_EQ(Balance("ann").balance(), 10);
}

}  // namespace
}  // namespace plaudit::testing
