#include "tools/plauditctl/users_csv.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace plaudit {
namespace {

absl::StatusOr<std::vector<std::string>> SplitCsvLine(absl::string_view line,
                                                      int line_number) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_number, ": unterminated quote"));
  }
  return fields;
}

}  // namespace

absl::StatusOr<std::vector<CsvUser>> ParseUsersCsv(absl::string_view text) {
  std::vector<CsvUser> users;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripSuffix(line, "\r");
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    absl::StatusOr<std::vector<std::string>> fields =
        SplitCsvLine(line, line_number);
    if (!fields.ok()) return fields.status();
    if (line_number == 1) {
      if ((*fields)[0] != "user_id") {
        return absl::InvalidArgumentError(
            "line 1: expected the header user_id,display_name,groups");
      }
      continue;
    }
    if (fields->size() > 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number,
                       ": expected at most 3 fields, got ", fields->size()));
    }
    fields->resize(3);
    CsvUser user;
    user.line = line_number;
    user.user.set_user_id((*fields)[0]);
    user.user.set_display_name((*fields)[1]);
    for (absl::string_view group :
         absl::StrSplit((*fields)[2], ' ', absl::SkipWhitespace())) {
      user.user.add_groups(std::string(group));
    }
    users.push_back(std::move(user));
  }
  return users;
}

}  // namespace plaudit
