#include "services/common/error_reason.h"

#include "gtest/gtest.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

TEST(ErrorReasonTest, ReasonMetadataAndDelayReachTheGrpcStatus) {
  const absl::Status status = WithRetryDelay(
      WithReason(absl::ResourceExhaustedError("slow down"), "RATE_LIMITED",
                 {{"key_id", "k1"}}),
      absl::Milliseconds(250));
  EXPECT_EQ(ErrorReason(status), "RATE_LIMITED");
  const grpc::Status sent = ToGrpcStatus(status);
  EXPECT_EQ(sent.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(sent.error_message(), "slow down");
  EXPECT_EQ(ErrorReasonOf(sent), "RATE_LIMITED");
  EXPECT_EQ(ErrorMetadataOf(sent, "key_id"), "k1");
  EXPECT_EQ(RetryDelayOf(sent), absl::Milliseconds(250));
}

TEST(ErrorReasonTest, EveryErrorHasAReasonAtLeastItsCode) {
  const grpc::Status sent = ToGrpcStatus(absl::NotFoundError("gone"));
  EXPECT_EQ(ErrorReasonOf(sent), "NOT_FOUND");
  EXPECT_EQ(RetryDelayOf(sent), std::nullopt);
  EXPECT_EQ(ErrorReasonOf(ToGrpcStatus(absl::OkStatus())), "");
}

TEST(ErrorReasonTest, InvalidFieldNamesTheField) {
  const grpc::Status sent = ToGrpcStatus(InvalidField("event.actor_id", "is required"));
  EXPECT_EQ(ErrorReasonOf(sent), "INVALID_FIELD");
  EXPECT_EQ(ErrorMetadataOf(sent, "field"), "event.actor_id");
}

TEST(ErrorReasonTest, LongMessagesAreCutBetweenCharacters) {
  std::string long_text;
  for (int i = 0; i < 600; ++i) long_text += "я";  // two bytes each
  const grpc::Status sent = ToGrpcStatus(absl::InvalidArgumentError("x" + long_text));
  EXPECT_LE(sent.error_message().size(), 1024u);
  EXPECT_EQ(sent.error_message().size() % 2, 1u) << "cut inside a character";
  EXPECT_EQ(ErrorReasonOf(sent), "INVALID_ARGUMENT");  // the details still parse
}

}  // namespace
}  // namespace plaudit
