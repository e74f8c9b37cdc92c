// Lists page the AIP-158 way: `page_size` (0 = the default) and an opaque
// `page_token` that names where the previous page ended. One reading of the
// request, one way to page a sorted list held in memory.
#ifndef PLAUDIT_SERVICES_COMMON_PAGING_H_
#define PLAUDIT_SERVICES_COMMON_PAGING_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace plaudit {

inline constexpr int32_t kDefaultPageSize = 100;
inline constexpr int32_t kMaxPageSize = 1000;

// page_size 0 means the default; negative or above kMaxPageSize is refused.
absl::StatusOr<int32_t> ResolvePageSize(absl::string_view field, int32_t size);

// Opaque page tokens: a kind tag plus a cursor, web-safe base64 encoded, so a
// token of one list cannot be replayed on another and tampering is detected.
std::string EncodePageToken(absl::string_view kind, absl::string_view cursor);
absl::StatusOr<std::string> DecodePageToken(absl::string_view kind,
                                            absl::string_view token);

// A request for one page of a list of `kind`, checked.
struct PageRequest {
  int32_t size = kDefaultPageSize;
  std::string cursor;  // what the token carried; empty on the first page
};
absl::StatusOr<PageRequest> ReadPageRequest(absl::string_view kind,
                                            int32_t page_size,
                                            absl::string_view page_token);
template <class Request>
absl::StatusOr<PageRequest> ReadPageRequest(absl::string_view kind,
                                            const Request& request) {
  return ReadPageRequest(kind, request.page_size(), request.page_token());
}

// The cursor as a number of at least `minimum`; 0 on the first page.
absl::StatusOr<int64_t> NumericCursor(const PageRequest& page, int64_t minimum);

// The token of the page after `cursor`; "" (no next page) for "".
std::string NextPageToken(absl::string_view kind, absl::string_view cursor);

// One page of `items`, sorted by `id`: those after the cursor that `keep`
// accepts, at most page.size of them, moved into `out`. Returns the cursor
// of the next page (the last id taken), or "" when no kept item is left.
template <class T, class Id, class Keep>
std::string TakePage(std::vector<T> items, const PageRequest& page, Id id,
                     Keep keep, google::protobuf::RepeatedPtrField<T>* out) {
  for (T& item : items) {
    if (!page.cursor.empty() && id(item) <= page.cursor) continue;
    if (!keep(item)) continue;
    if (out->size() >= page.size) {
      return out->empty() ? std::string(id(item))  // page.size 0: none taken
                          : std::string(id(*out->rbegin()));
    }
    *out->Add() = std::move(item);
  }
  return "";
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_PAGING_H_
