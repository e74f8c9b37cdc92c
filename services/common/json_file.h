// JSON files mapped 1:1 onto a proto message (rules, catalog). Unknown
// fields are refused: a typo must not pass silently.
#ifndef PLAUDIT_SERVICES_COMMON_JSON_FILE_H_
#define PLAUDIT_SERVICES_COMMON_JSON_FILE_H_

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"

namespace plaudit {

absl::StatusOr<std::string> ReadTextFile(const std::string& path);

template <typename Message>
absl::StatusOr<Message> ParseJsonMessage(absl::string_view json,
                                         absl::string_view what) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      std::string(json), &message, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", parsed.message().as_string()));
  }
  return message;
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_JSON_FILE_H_
