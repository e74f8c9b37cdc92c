// Proto3 canonical JSON of a message, written directly by reflection: the
// same text google::protobuf::util::MessageToJsonString gives with
// always_print_primitive_fields (lowerCamelCase names, int64 as strings,
// enums by name, well-known types in their JSON forms), several times
// faster, since it goes through no type resolver and no stream of
// intermediate objects. Unset message fields are left out.
#ifndef PLAUDIT_SERVICES_HTTP_JSON_WRITER_H_
#define PLAUDIT_SERVICES_HTTP_JSON_WRITER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace plaudit {

void AppendJson(const google::protobuf::Message& message, std::string* out);
// `text` as a JSON string, quoted and escaped.
void AppendJsonString(absl::string_view text, std::string* out);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_HTTP_JSON_WRITER_H_
