#include "services/store/stream_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace plaudit {
namespace {

bool Digits(absl::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(text, value);
}

}  // namespace

std::optional<StreamId> StreamId::Parse(absl::string_view text) {
  const size_t dash = text.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  StreamId id;
  if (!Digits(text.substr(0, dash), &id.ms) ||
      !Digits(text.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

std::string StreamId::ToString() const { return absl::StrCat(ms, "-", seq); }

}  // namespace plaudit
