#include "tools/plauditctl/users_csv.h"

#include <algorithm>

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
  static const std::vector<std::string>* known = new std::vector<std::string>{
      "user_id", "display_name", "groups", "manager_id"};
  std::vector<CsvUser> users;
  std::vector<int> column_of;  // header position -> index in `known`
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
            "line 1: expected the header "
            "user_id,display_name,groups[,manager_id]");
      }
      for (const std::string& name : *fields) {
        const auto it = std::find(known->begin(), known->end(), name);
        if (it == known->end()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line 1: unknown column \"", name,
              "\" (known: user_id, display_name, groups, manager_id)"));
        }
        column_of.push_back(static_cast<int>(it - known->begin()));
      }
      continue;
    }
    if (fields->size() > column_of.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": expected at most ",
                       column_of.size(), " fields, got ", fields->size()));
    }
    std::string value[4];
    for (size_t i = 0; i < fields->size(); ++i) {
      value[column_of[i]] = (*fields)[i];
    }
    CsvUser user;
    user.line = line_number;
    user.user.set_user_id(value[0]);
    user.user.set_display_name(value[1]);
    for (absl::string_view group :
         absl::StrSplit(value[2], ' ', absl::SkipWhitespace())) {
      user.user.add_groups(std::string(group));
    }
    user.user.set_manager_id(value[3]);
    users.push_back(std::move(user));
  }
  return users;
}

}  // namespace plaudit
