#include "services/common/validation.h"

#include <string>

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(ValidateIdTest, AcceptsOpaqueIdsAndNamesTheFieldWhenRejecting) {
  EXPECT_TRUE(ValidateId("user_id", "ivan.petrov@corp.example").ok());
  EXPECT_TRUE(ValidateId("user_id", std::string(128, 'a')).ok());

  const absl::Status empty = ValidateId("event.event_id", "");
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "event.event_id: is required");

  const absl::Status long_id = ValidateId("user_id", std::string(129, 'a'));
  EXPECT_EQ(long_id.message(), "user_id: must be at most 128 bytes, got 129");

  EXPECT_FALSE(ValidateId("user_id", "has space").ok());
  EXPECT_FALSE(ValidateId("user_id", std::string("nul\0x", 5)).ok());
}

TEST(ValidateSlugTest, RestrictsKeyComponents) {
  EXPECT_TRUE(ValidateSlug("rule_id", "like-author_2").ok());
  EXPECT_FALSE(ValidateSlug("rule_id", "a:b").ok());
  EXPECT_FALSE(ValidateSlug("rule_id", std::string(65, 'a')).ok());
}

TEST(ValidateGroupTest, RequiresKindAndName) {
  EXPECT_TRUE(ValidateGroup("groups[0]", "dept:sales").ok());
  EXPECT_TRUE(ValidateGroup("groups[0]", "office:Казань").ok());
  EXPECT_FALSE(ValidateGroup("groups[0]", "sales").ok());
  EXPECT_FALSE(ValidateGroup("groups[0]", ":sales").ok());
  EXPECT_FALSE(ValidateGroup("groups[0]", "dept:").ok());
  EXPECT_FALSE(ValidateGroup("groups[0]", "Dept:sales").ok());
}

TEST(ValidateActionTest, LowercaseDottedNames) {
  EXPECT_TRUE(ValidateAction("action", "training.completed").ok());
  EXPECT_FALSE(ValidateAction("action", "Post").ok());
  EXPECT_FALSE(ValidateAction("action", "").ok());
}

}  // namespace
}  // namespace plaudit
