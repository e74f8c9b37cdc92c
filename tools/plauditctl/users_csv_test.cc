#include "tools/plauditctl/users_csv.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(UsersCsvTest, ParsesQuotedNamesAndSpaceSeparatedGroups) {
  const auto users = ParseUsersCsv(
      "user_id,display_name,groups\r\n"
      "ann,\"Smirnova, Ann \"\"Annie\"\"\",dept:sales office:kazan\n"
      "\n"
      "bob,Bob,\n");
  ASSERT_TRUE(users.ok()) << users.status();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].line, 2);
  EXPECT_EQ((*users)[0].user.display_name(), "Smirnova, Ann \"Annie\"");
  ASSERT_EQ((*users)[0].user.groups_size(), 2);
  EXPECT_EQ((*users)[0].user.groups(1), "office:kazan");
  EXPECT_EQ((*users)[1].line, 4);
  EXPECT_EQ((*users)[1].user.groups_size(), 0);
}

TEST(UsersCsvTest, ReportsTheLineOfAProblem) {
  EXPECT_EQ(ParseUsersCsv("id,name\n").status().message(),
            "line 1: expected the header "
            "user_id,display_name,groups[,manager_id]");
  EXPECT_EQ(ParseUsersCsv("user_id,boss\n").status().message(),
            "line 1: unknown column \"boss\" (known: user_id, display_name, "
            "groups, manager_id)");
  EXPECT_EQ(ParseUsersCsv("user_id,display_name,groups\nann,\"Ann\n")
                .status()
                .message(),
            "line 2: unterminated quote");
  EXPECT_EQ(ParseUsersCsv("user_id,display_name,groups\na,b,c,d\n")
                .status()
                .message(),
            "line 2: expected at most 3 fields, got 4");
}

TEST(UsersCsvTest, ReadsManagersByTheHeader) {
  const auto users = ParseUsersCsv(
      "user_id,manager_id,display_name\n"
      "ann,,Ann\n"
      "bob,ann,Bob\n");
  ASSERT_TRUE(users.ok()) << users.status();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].user.manager_id(), "");
  EXPECT_EQ((*users)[1].user.manager_id(), "ann");
  EXPECT_EQ((*users)[1].user.display_name(), "Bob");
}

}  // namespace
}  // namespace plaudit
