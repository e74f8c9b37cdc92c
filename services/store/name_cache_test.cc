#include "services/store/name_cache.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(NameCacheTest, ServesOnlyTheVersionItWasReadAt) {
  NameCache cache(10);
  EXPECT_EQ(cache.version(), "");
  EXPECT_FALSE(cache.Find("", "ann").has_value());
  cache.Keep("3", "ann", "Ann");
  cache.Keep("3", "bob", "");  // no name is a name too
  EXPECT_EQ(cache.version(), "3");
  EXPECT_EQ(cache.Find("3", "ann"), "Ann");
  EXPECT_EQ(cache.Find("3", "bob"), "");
  EXPECT_FALSE(cache.Find("3", "cy").has_value());
  EXPECT_FALSE(cache.Find("4", "ann").has_value());  // renamed since
}

TEST(NameCacheTest, AnotherVersionStartsOver) {
  NameCache cache(10);
  cache.Keep("3", "ann", "Ann");
  cache.Keep("3", "bob", "Bob");
  cache.Keep("4", "ann", "Ann Lee");
  EXPECT_EQ(cache.version(), "4");
  EXPECT_EQ(cache.Find("4", "ann"), "Ann Lee");
  EXPECT_FALSE(cache.Find("4", "bob").has_value());
  EXPECT_FALSE(cache.Find("3", "ann").has_value());
  // Redis starting over empty goes back to an older number: held as well.
  cache.Keep("0", "bob", "Bob");
  EXPECT_EQ(cache.Find("0", "bob"), "Bob");
  EXPECT_FALSE(cache.Find("4", "ann").has_value());
}

TEST(NameCacheTest, StaysWithinItsBound) {
  NameCache cache(2);
  cache.Keep("1", "a", "A");
  cache.Keep("1", "b", "B");
  cache.Keep("1", "a", "A2");  // replacing does not grow it
  EXPECT_EQ(cache.Find("1", "b"), "B");
  cache.Keep("1", "c", "C");  // full: starts over
  EXPECT_EQ(cache.Find("1", "c"), "C");
  EXPECT_FALSE(cache.Find("1", "a").has_value());

  NameCache off(0);
  off.Keep("1", "a", "A");
  EXPECT_FALSE(off.Find("1", "a").has_value());
}

}  // namespace
}  // namespace plaudit
