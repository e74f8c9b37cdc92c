#include "services/http/json_writer.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/stubs/strutil.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace plaudit {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

}  // namespace

// Appends runs of plain characters whole; escapes the few that need it.
void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    }
  }
  out->append(text.data() + run, text.size() - run);
  out->push_back('"');
}

namespace {

void AppendDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    {
      out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
      return;
    }
  }
  out->append(google::protobuf::SimpleDtoa(value));
}

// Well-known types with their own JSON form; false for any other message.
bool AppendWellKnown(const Message& message, std::string* out) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (type == "google.protobuf.Timestamp") {
    AppendJsonString(
        google::protobuf::util::TimeUtil::ToString(
            static_cast<const google::protobuf::Timestamp&>(message)),
        out);
    return true;
  }
  if (type == "google.protobuf.Duration") {
    AppendJsonString(
        google::protobuf::util::TimeUtil::ToString(
            static_cast<const google::protobuf::Duration&>(message)),
        out);
    return true;
  }
  if (type == "google.protobuf.FieldMask") {
    std::string paths;
    google::protobuf::util::FieldMaskUtil::ToJsonString(
        static_cast<const google::protobuf::FieldMask&>(message), &paths);
    AppendJsonString(paths, out);
    return true;
  }
  if (absl::StartsWith(type, "google.protobuf.")) {
    // Struct, Value, wrappers, Any: rare here; protobuf's own writer.
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(message, &json);
    out->append(json);
    return true;
  }
  return false;
}

void AppendMessage(const Message& message, std::string* out);

// One value of `field` (element `index` when repeated, else -1).
void AppendValue(const Message& message, const Reflection* r,
                 const FieldDescriptor* field, int index, std::string* out) {
  const bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrAppend(out,
                             rep ? r->GetRepeatedInt32(message, field, index)
                                 : r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrAppend(out,
                             rep ? r->GetRepeatedUInt32(message, field, index)
                                 : r->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrAppend(out, "\"",
                             rep ? r->GetRepeatedInt64(message, field, index)
                                 : r->GetInt64(message, field),
                             "\"");
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrAppend(out, "\"",
                             rep ? r->GetRepeatedUInt64(message, field, index)
                                 : r->GetUInt64(message, field),
                             "\"");
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return AppendDouble(rep ? r->GetRepeatedDouble(message, field, index)
                              : r->GetDouble(message, field),
                          out);
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const float value = rep ? r->GetRepeatedFloat(message, field, index)
                              : r->GetFloat(message, field);
      if (!std::isfinite(value)) return AppendDouble(value, out);
      {
        out->append(google::protobuf::SimpleFtoa(value));
        return;
      }
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      out->append((rep ? r->GetRepeatedBool(message, field, index)
                       : r->GetBool(message, field))
                      ? "true"
                      : "false");
      return;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(message, field, index)
                             : r->GetEnumValue(message, field);
      const auto* value = field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) return absl::StrAppend(out, number);
      return AppendJsonString(value->name(), out);
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text =
          rep ? r->GetRepeatedStringReference(message, field, index, &scratch)
              : r->GetStringReference(message, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        return AppendJsonString(absl::Base64Escape(text), out);
      }
      return AppendJsonString(text, out);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(rep ? r->GetRepeatedMessage(message, field, index)
                               : r->GetMessage(message, field),
                           out);
  }
}

// A map entry's key, always as a JSON string.
void AppendKey(const Message& entry, std::string* out) {
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    return AppendValue(entry, entry.GetReflection(), key, -1, out);
  }
  std::string text;
  AppendValue(entry, entry.GetReflection(), key, -1, &text);
  if (!text.empty() && text.front() == '"') {
    out->append(text);
    return;
  }
  AppendJsonString(text, out);
}

void AppendField(const Message& message, const Reflection* r,
                 const FieldDescriptor* field, std::string* out) {
  AppendJsonString(field->json_name(), out);
  out->push_back(':');
  if (field->is_map()) {
    out->push_back('{');
    const int n = r->FieldSize(message, field);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out->push_back(',');
      const Message& entry = r->GetRepeatedMessage(message, field, i);
      AppendKey(entry, out);
      out->push_back(':');
      AppendValue(entry, entry.GetReflection(),
                  entry.GetDescriptor()->map_value(), -1, out);
    }
    out->push_back('}');
  } else if (field->is_repeated()) {
    out->push_back('[');
    const int n = r->FieldSize(message, field);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out->push_back(',');
      AppendValue(message, r, field, i, out);
    }
    out->push_back(']');
  } else {
    AppendValue(message, r, field, -1, out);
  }
}

void AppendMessage(const Message& message, std::string* out) {
  if (AppendWellKnown(message, out)) return;
  const auto* descriptor = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    // Fields with presence (messages, oneofs, proto3 optional) print only
    // when set; every other prints always, zero or empty included.
    if (!field->is_repeated() && field->has_presence() &&
        !r->HasField(message, field)) {
      continue;
    }
    if (!first) out->push_back(',');
    first = false;
    AppendField(message, r, field, out);
  }
  out->push_back('}');
}

}  // namespace

void AppendJson(const Message& message, std::string* out) {
  AppendMessage(message, out);
}

}  // namespace plaudit
