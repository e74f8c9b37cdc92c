#include "services/common/paging.h"

#include <string>
#include <vector>

#include "google/protobuf/repeated_ptr_field.h"
#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(PageSizeTest, DefaultsAndBounds) {
  EXPECT_EQ(*ResolvePageSize("page_size", 0), kDefaultPageSize);
  EXPECT_EQ(*ResolvePageSize("page_size", 1000), 1000);
  EXPECT_FALSE(ResolvePageSize("page_size", -1).ok());
  EXPECT_FALSE(ResolvePageSize("page_size", 1001).ok());
}

TEST(PageTokenTest, RoundTripsAndRejectsForeignOrTamperedTokens) {
  const std::string token = EncodePageToken("rules", "r-17");
  EXPECT_EQ(*DecodePageToken("rules", token), "r-17");
  EXPECT_FALSE(DecodePageToken("ledger", token).ok());
  EXPECT_FALSE(DecodePageToken("rules", "!!not-base64").ok());
  EXPECT_FALSE(DecodePageToken("rules", token + "x").ok());
  std::string edited = token;
  edited[edited.size() / 2] ^= 1;
  EXPECT_FALSE(DecodePageToken("rules", edited).ok());
}

TEST(PageRequestTest, ReadsSizeAndCursorNamingTheField) {
  EXPECT_EQ(ReadPageRequest("rules", 0, "")->size, kDefaultPageSize);
  EXPECT_EQ(ReadPageRequest("rules", 0, "")->cursor, "");
  EXPECT_EQ(ReadPageRequest("rules", 5, EncodePageToken("rules", "b"))->cursor,
            "b");
  const absl::Status size = ReadPageRequest("rules", -1, "").status();
  EXPECT_NE(size.message().find("page_size"), absl::string_view::npos);
  const absl::Status token =
      ReadPageRequest("rules", 5, EncodePageToken("ledger", "b")).status();
  EXPECT_NE(token.message().find("page_token"), absl::string_view::npos);
}

TEST(PageRequestTest, NumericCursors) {
  PageRequest page;
  EXPECT_EQ(*NumericCursor(page, 1), 0);  // the first page
  page.cursor = "42";
  EXPECT_EQ(*NumericCursor(page, 1), 42);
  page.cursor = "0";
  EXPECT_FALSE(NumericCursor(page, 1).ok());
  page.cursor = "x";
  EXPECT_FALSE(NumericCursor(page, 1).ok());
}

struct Item {
  std::string id;
  bool kept = true;
};

// Pages through `items` two at a time and returns every id seen, in order.
std::vector<std::string> PageThrough(const std::vector<Item>& items) {
  std::vector<std::string> seen;
  PageRequest page;
  page.size = 2;
  do {
    google::protobuf::RepeatedPtrField<std::string> out;
    std::vector<std::string> ids;
    for (const Item& item : items) ids.push_back(item.id);
    page.cursor = TakePage(
        ids, page, [](const std::string& id) { return id; },
        [&](const std::string& id) {
          for (const Item& item : items) {
            if (item.id == id) return item.kept;
          }
          return false;
        },
        &out);
    EXPECT_LE(out.size(), 2);
    seen.insert(seen.end(), out.begin(), out.end());
  } while (!page.cursor.empty());
  return seen;
}

TEST(TakePageTest, PagesThroughKeptItemsOnceEach) {
  EXPECT_EQ(PageThrough({{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}),
            (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  // No next page when only left-out items follow the last one taken.
  EXPECT_EQ(PageThrough({{"a"}, {"b"}, {"c", false}, {"d", false}}),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(PageThrough({{"a", false}, {"b"}, {"c", false}, {"d"}, {"e"}}),
            (std::vector<std::string>{"b", "d", "e"}));
  EXPECT_TRUE(PageThrough({}).empty());
}

}  // namespace
}  // namespace plaudit
