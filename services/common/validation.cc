#include "services/common/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/error_reason.h"

namespace plaudit {
namespace {

bool IsControlOrSpace(unsigned char c) { return c <= 0x20 || c == 0x7f; }

bool IsSlugChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '-';
}

}  // namespace

absl::Status InvalidField(absl::string_view field, absl::string_view reason) {
  return WithReason(absl::InvalidArgumentError(absl::StrCat(field, ": ", reason)),
                    "INVALID_FIELD", {{"field", std::string(field)}});
}

absl::Status ValidateId(absl::string_view field, absl::string_view value,
                        size_t max_bytes) {
  if (value.empty()) return InvalidField(field, "is required");
  if (value.size() > max_bytes) {
    return InvalidField(field, absl::StrCat("must be at most ", max_bytes,
                                            " bytes, got ", value.size()));
  }
  for (unsigned char c : value) {
    if (IsControlOrSpace(c)) {
      return InvalidField(field, "must not contain whitespace or control "
                                 "characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOptionalId(absl::string_view field,
                                absl::string_view value, size_t max_bytes) {
  if (value.empty()) return absl::OkStatus();
  return ValidateId(field, value, max_bytes);
}

absl::Status ValidateSlug(absl::string_view field, absl::string_view value) {
  if (value.empty()) return InvalidField(field, "is required");
  if (value.size() > 64) {
    return InvalidField(field, "must be at most 64 characters");
  }
  for (char c : value) {
    if (!IsSlugChar(c)) {
      return InvalidField(field, "may only contain A-Z, a-z, 0-9, '_', '-'");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAction(absl::string_view field, absl::string_view value) {
  if (value.empty()) return InvalidField(field, "is required");
  if (value.size() > 64) {
    return InvalidField(field, "must be at most 64 characters");
  }
  for (char c : value) {
    const bool ok = absl::ascii_islower(static_cast<unsigned char>(c)) ||
                    absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return InvalidField(field, "may only contain a-z, 0-9, '_.-'");
  }
  return absl::OkStatus();
}

absl::Status ValidateGroup(absl::string_view field, absl::string_view value) {
  if (auto s = ValidateId(field, value); !s.ok()) return s;
  const size_t colon = value.find(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      colon + 1 == value.size()) {
    return InvalidField(field, "must look like <kind>:<name>, e.g. dept:sales");
  }
  for (char c : value.substr(0, colon)) {
    const bool ok = absl::ascii_islower(static_cast<unsigned char>(c)) ||
                    absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                    c == '_' || c == '-';
    if (!ok) return InvalidField(field, "kind may only contain a-z, 0-9, '_-'");
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view value,
                          size_t max_bytes) {
  if (value.size() > max_bytes) {
    return InvalidField(field, absl::StrCat("must be at most ", max_bytes,
                                            " bytes, got ", value.size()));
  }
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      return InvalidField(field, "must not contain control characters");
    }
  }
  return absl::OkStatus();
}

}  // namespace plaudit
