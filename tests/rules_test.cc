// RuleService: CRUD, update masks, the revision trail, and a rule changed
// through one plauditd honoured at once by another on the same Redis.
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

using RulesTest = PlauditTest;

grpc::Status UpdatePoints(v1::RuleService::Stub& rules, const std::string& id,
                          int64_t points, v1::Rule* updated,
                          const std::string& who = "hr-anna") {
  v1::UpdateRuleRequest request;
  request.mutable_rule()->set_rule_id(id);
  request.mutable_rule()->set_points(points);
  request.mutable_update_mask()->add_paths("points");
  v1::UpdateRuleResponse response;
  grpc::ClientContext context;
  context.AddMetadata("plaudit-actor", who);
  const grpc::Status status = rules.UpdateRule(&context, request, &response);
  *updated = response.rule();
  return status;
}

TEST_F(RulesTest, CreateGetListDelete) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  CreateRule("comment", "comment.created", v1::Rule::ACTOR, 3);

  v1::CreateRuleRequest again;
  again.mutable_rule()->set_rule_id("post");
  again.mutable_rule()->set_action("post.created");
  again.mutable_rule()->set_recipient(v1::Rule::ACTOR);
  again.mutable_rule()->set_points(1);
  v1::CreateRuleResponse created;
  grpc::ClientContext create_context;
  EXPECT_EQ(client_->rules->CreateRule(&create_context, again, &created)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::ListRulesRequest list;
  list.set_page_size(1);
  std::vector<std::string> ids;
  do {
    v1::ListRulesResponse page;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rules->ListRules(&context, list, &page).ok());
    for (const auto& rule : page.rules()) ids.push_back(rule.rule_id());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(ids, (std::vector<std::string>{"comment", "post"}));

  v1::DeleteRuleRequest remove;
  remove.set_rule_id("post");
  v1::DeleteRuleResponse removed;
  grpc::ClientContext delete_context;
  ASSERT_TRUE(client_->rules->DeleteRule(&delete_context, remove, &removed).ok());
  v1::GetRuleRequest get;
  get.set_rule_id("post");
  v1::GetRuleResponse got;
  grpc::ClientContext get_context;
  EXPECT_EQ(client_->rules->GetRule(&get_context, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // A deleted rule pays no more.
  EXPECT_EQ(Record(MakeEvent("p", "post.created", "ann")).awards_size(), 0);
}

TEST_F(RulesTest, UpdateMaskChangesOnlyNamedFieldsAndKeepsRevisions) {
  v1::Rule original = CreateRule("like", "like", v1::Rule::SUBJECT, 2, 50);
  v1::Rule updated;
  ASSERT_TRUE(UpdatePoints(*client_->rules, "like", 5, &updated).ok());
  EXPECT_EQ(updated.points(), 5);
  EXPECT_EQ(updated.daily_limit(), 50);  // untouched
  EXPECT_EQ(updated.recipient(), v1::Rule::SUBJECT);

  v1::ListRuleRevisionsRequest request;
  request.set_rule_id("like");
  v1::ListRuleRevisionsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(
      client_->rules->ListRuleRevisions(&context, request, &response).ok());
  ASSERT_EQ(response.revisions_size(), 2);
  const v1::RuleRevision& latest = response.revisions(0);
  EXPECT_EQ(latest.revision(), 2);
  EXPECT_EQ(latest.kind(), v1::RuleRevision::UPDATED);
  EXPECT_EQ(latest.changed_by(), "key dev (for hr-anna)");
  EXPECT_EQ(latest.before().points(), 2);
  EXPECT_EQ(latest.after().points(), 5);
  EXPECT_TRUE(latest.has_change_time());
  EXPECT_EQ(response.revisions(1).kind(), v1::RuleRevision::CREATED);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      response.revisions(1).after(), original));
}

TEST_F(RulesTest, RevisionsPageNewestFirst) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 1);
  v1::Rule updated;
  for (int points = 2; points <= 7; ++points) {
    ASSERT_TRUE(UpdatePoints(*client_->rules, "post", points, &updated).ok());
  }
  v1::ListRuleRevisionsRequest request;
  request.set_rule_id("post");
  request.set_page_size(3);
  std::vector<int64_t> revisions;
  do {
    v1::ListRuleRevisionsResponse page;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->rules->ListRuleRevisions(&context, request, &page).ok());
    for (const auto& r : page.revisions()) revisions.push_back(r.revision());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(revisions, (std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1}));
}

TEST_F(RulesTest, InvalidUpdatesAreRefusedAndChangeNothing) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  v1::Rule updated;
  EXPECT_EQ(UpdatePoints(*client_->rules, "post", 0, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(UpdatePoints(*client_->rules, "nope", 3, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::UpdateRuleRequest request;
  request.mutable_rule()->set_rule_id("post");
  request.mutable_update_mask()->add_paths("pionts");
  v1::UpdateRuleResponse response;
  grpc::ClientContext context;
  const grpc::Status status =
      client_->rules->UpdateRule(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("update_mask"), std::string::npos);
  EXPECT_EQ(Record(MakeEvent("p", "post.created", "ann")).awards(0).points(), 10);
}

TEST_F(RulesTest, ASecondReplicaPaysByTheNewRuleAtOnce) {
  std::unique_ptr<PlauditServer> replica = StartReplica();
  ASSERT_NE(replica, nullptr);
  Client other(replica->port());
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);

  auto record_on_replica = [&](const std::string& id) {
    v1::RecordEventRequest request;
    *request.mutable_event() = MakeEvent(id, "post.created", "ann");
    v1::RecordEventResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(other.events->RecordEvent(&context, request, &response).ok());
    return response.outcome();
  };
  // The replica caches the rules at 10 points...
  EXPECT_EQ(record_on_replica("p1").awards(0).points(), 10);
  // ...the rule changes through the first server...
  v1::Rule updated;
  ASSERT_TRUE(UpdatePoints(*client_->rules, "post", 25, &updated).ok());
  // ...and the very next award on the replica uses the new points.
  EXPECT_EQ(record_on_replica("p2").awards(0).points(), 25);

  v1::DeleteRuleRequest remove;
  remove.set_rule_id("post");
  v1::DeleteRuleResponse removed;
  grpc::ClientContext context;
  ASSERT_TRUE(client_->rules->DeleteRule(&context, remove, &removed).ok());
  EXPECT_EQ(record_on_replica("p3").awards_size(), 0);
  EXPECT_EQ(Balance("ann").balance(), 35);
}

TEST_F(RulesTest, ARulesFileAtStartCreatesThenLeavesUnchangedRulesAlone) {
  ServerOptions options = Options();
  options.rules_file = "deploy/examples/rules.json";
  for (int start = 0; start < 2; ++start) {  // a restart applies it again
    absl::StatusOr<std::unique_ptr<PlauditServer>> server =
        PlauditServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
  }
  v1::ListRuleRevisionsRequest request;
  request.set_rule_id("like-received");
  v1::ListRuleRevisionsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(
      client_->rules->ListRuleRevisions(&context, request, &response).ok());
  ASSERT_EQ(response.revisions_size(), 1);  // created once, never rewritten
  EXPECT_EQ(response.revisions(0).after().daily_limit(), 50);
  EXPECT_EQ(Record(MakeEvent("p", "post.created", "ann")).awards(0).points(), 10);

  options.rules_file = "deploy/examples/missing.json";
  EXPECT_EQ(PlauditServer::Start(options).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RulesTest, AnUnknownTimeZoneStopsTheStart) {
  ServerOptions options = Options();
  options.time_zone = "Europe/Atlantis";
  const auto server = PlauditServer::Start(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(server.status().message().find("time_zone"), std::string::npos);
}

}  // namespace
}  // namespace plaudit::testing
