#include "services/common/change_plan.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace plaudit {
namespace {

struct Thing {
  std::string id;
  int value = 0;
  bool archived = false;
};

ChangePlan<Thing> Plan(const std::vector<Thing>& existing,
                       const std::vector<Thing>& wanted) {
  return PlanChanges<Thing>(
      existing, wanted, [](const Thing& t) { return t.id; },
      [](const Thing& a, const Thing& b) { return a.value != b.value; },
      [](const Thing& t) { return t.archived; });
}

std::vector<std::string> Ids(const std::vector<Thing>& things) {
  std::vector<std::string> ids;
  for (const Thing& t : things) ids.push_back(t.id);
  return ids;
}

TEST(ChangePlanTest, CreatesUpdatesKeepsAndNamesWhatTheFileLeftOut) {
  const ChangePlan<Thing> plan =
      Plan({{"a", 1}, {"b", 2}, {"c", 3}, {"old", 9, true}, {"gone", 4}},
           {{"a", 1}, {"b", 20}, {"new", 5}, {"old", 10}, {"c", 3}});
  EXPECT_EQ(Ids(plan.create), std::vector<std::string>{"new"});
  EXPECT_EQ(Ids(plan.update), std::vector<std::string>{"b"});
  EXPECT_EQ(plan.update[0].value, 20);  // the file's version
  EXPECT_EQ(plan.unchanged, 2);
  EXPECT_EQ(plan.left_alone, 1);  // archived: never touched by a file
  EXPECT_EQ(plan.absent, std::vector<std::string>{"gone"});
}

TEST(ChangePlanTest, AnEmptyFileChangesNothingAndNamesEverything) {
  const ChangePlan<Thing> plan = Plan({{"a", 1}, {"b", 2}}, {});
  EXPECT_TRUE(plan.create.empty());
  EXPECT_TRUE(plan.update.empty());
  EXPECT_EQ(plan.absent, (std::vector<std::string>{"a", "b"}));
}

TEST(ChangePlanTest, TheLastOfTwoAlikeIdsCounts) {
  const ChangePlan<Thing> plan = Plan({{"a", 1}}, {{"a", 2}, {"a", 1}});
  EXPECT_TRUE(plan.update.empty());
  EXPECT_EQ(plan.unchanged, 1);
}

}  // namespace
}  // namespace plaudit
