#include "services/common/paging.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

// FNV-1a: a checksum (not a secret) so that edited tokens are detected.
uint32_t Checksum(absl::string_view data) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : data) hash = (hash ^ c) * 16777619u;
  return hash;
}

}  // namespace

absl::StatusOr<int32_t> ResolvePageSize(absl::string_view field, int32_t size) {
  if (size == 0) return kDefaultPageSize;
  if (size < 0 || size > kMaxPageSize) {
    return InvalidField(field, absl::StrCat("must be between 0 and ",
                                            kMaxPageSize, ", got ", size));
  }
  return size;
}

std::string EncodePageToken(absl::string_view kind, absl::string_view cursor) {
  const std::string body = absl::StrCat(kind, "|", cursor);
  return absl::WebSafeBase64Escape(absl::StrCat(Checksum(body), "|", body));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view kind,
                                            absl::string_view token) {
  const absl::Status invalid =
      InvalidField("page_token", "is not a token returned by this list");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return invalid;
  const size_t bar = raw.find('|');
  if (bar == std::string::npos) return invalid;
  const absl::string_view body = absl::string_view(raw).substr(bar + 1);
  const std::string prefix = absl::StrCat(kind, "|");
  if (raw.substr(0, bar) != absl::StrCat(Checksum(body)) ||
      !absl::StartsWith(body, prefix) || body.size() == prefix.size()) {
    return invalid;
  }
  return std::string(body.substr(prefix.size()));
}

absl::StatusOr<PageRequest> ReadPageRequest(absl::string_view kind,
                                            int32_t page_size,
                                            absl::string_view page_token) {
  absl::StatusOr<int32_t> size = ResolvePageSize("page_size", page_size);
  if (!size.ok()) return size.status();
  PageRequest page;
  page.size = *size;
  if (!page_token.empty()) {
    absl::StatusOr<std::string> cursor = DecodePageToken(kind, page_token);
    if (!cursor.ok()) return cursor.status();
    page.cursor = *std::move(cursor);
  }
  return page;
}

absl::StatusOr<int64_t> NumericCursor(const PageRequest& page,
                                      int64_t minimum) {
  if (page.cursor.empty()) return 0;
  int64_t value = 0;
  if (!absl::SimpleAtoi(page.cursor, &value) || value < minimum) {
    return InvalidField("page_token", "is malformed");
  }
  return value;
}

std::string NextPageToken(absl::string_view kind, absl::string_view cursor) {
  return cursor.empty() ? "" : EncodePageToken(kind, cursor);
}

}  // namespace plaudit
