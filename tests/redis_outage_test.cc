// Redis killed mid-test: calls answer UNAVAILABLE, nothing half-applied;
// Redis back: the same plauditd serves again, with nothing lost (AOF).
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

using RedisOutageTest = PlauditTest;

TEST_F(RedisOutageTest, UnavailableWhileDownThenServesAgain) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  Record(MakeEvent("before", "post.created", "ann"));
  ASSERT_EQ(Balance("ann").balance(), 10);

  redis_->Kill();
  v1::EventOutcome outcome;
  const grpc::Status down =
      Record(MakeEvent("during", "post.created", "ann"), &outcome);
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE)
      << down.error_message();
  v1::GetBalanceRequest request;
  request.set_user_id("ann");
  v1::GetBalanceResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(client_->accounts->GetBalance(&context, request, &response)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);

  redis_->Restart();
  // The portal retries the refused event: it pays now, exactly once.
  EXPECT_EQ(Record(MakeEvent("during", "post.created", "ann")).awards_size(), 1);
  EXPECT_TRUE(Record(MakeEvent("before", "post.created", "ann")).duplicate());
  EXPECT_EQ(Balance("ann").balance(), 20);
  EXPECT_EQ(Ledger("ann").size(), 2u);
}

TEST_F(RedisOutageTest, ServesAfterARestartItNeverSaw) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  Record(MakeEvent("a", "post.created", "ann"));
  // Restarted between two calls: the pooled connections are dead, yet the
  // next call succeeds (a reused connection's failure is retried on a new one).
  redis_->Restart();
  EXPECT_EQ(Record(MakeEvent("b", "post.created", "ann")).awards_size(), 1);
  EXPECT_EQ(Balance("ann").balance(), 20);
}

TEST_F(RedisOutageTest, UnreachableRedisAtStartIsReportedPerCall) {
  redis_->Kill();
  v1::EventOutcome outcome;
  EXPECT_EQ(Record(MakeEvent("x", "post.created", "ann"), &outcome).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  redis_->Restart();
  EXPECT_TRUE(Record(MakeEvent("x", "post.created", "ann"), &outcome).ok());
}

}  // namespace
}  // namespace plaudit::testing
