#include "services/rpc/request_parsing.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "services/common/error_reason.h"

namespace plaudit {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// The path of the first string field holding invalid UTF-8 in `bytes` of
// `type` ("" when there is none, or the bytes are not protobuf at all).
std::string BadUtf8Field(const Descriptor* type, absl::string_view bytes,
                         const std::string& prefix, int depth) {
  UnknownFieldSet fields;
  if (depth > 64 ||
      !fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return "";
  }
  absl::flat_hash_map<int, int> seen;  // occurrences per field number
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    const int occurrence = seen[field.number()]++;
    const FieldDescriptor* descriptor = type->FindFieldByNumber(field.number());
    if (descriptor == nullptr ||
        field.type() != UnknownField::TYPE_LENGTH_DELIMITED) {
      continue;
    }
    std::string path = absl::StrCat(prefix, descriptor->name());
    if (descriptor->is_repeated() && !descriptor->is_map()) {
      absl::StrAppend(&path, "[", occurrence, "]");
    }
    const std::string& value = field.length_delimited();
    if (descriptor->type() == FieldDescriptor::TYPE_STRING &&
        !IsValidUtf8(value)) {
      return path;
    }
    if (descriptor->type() == FieldDescriptor::TYPE_MESSAGE) {
      std::string inner = BadUtf8Field(descriptor->message_type(), value,
                                       path + ".", depth + 1);
      if (!inner.empty()) return inner;
    }
  }
  return "";
}

std::string Flatten(const grpc::ByteBuffer& bytes) {
  std::vector<grpc::Slice> slices;
  if (!bytes.Dump(&slices).ok()) return "";
  std::string flat;
  flat.reserve(bytes.Length());
  for (const grpc::Slice& slice : slices) {
    flat.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return flat;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int length;
    unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // no overlong forms
      if (c == 0xED) high = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (i + length > n || s[i + 1] < low || s[i + 1] > high) return false;
    for (int k = 2; k < length; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

absl::Status DiagnoseUnparseable(const Descriptor* type,
                                 absl::string_view bytes) {
  const std::string field = BadUtf8Field(type, bytes, "", 0);
  if (!field.empty()) {
    return WithReason(
        absl::InvalidArgumentError(
            absl::StrCat(field, ": is not valid UTF-8 (send text, or base64)")),
        "INVALID_UTF8", {{"field", field}});
  }
  return WithReason(
      absl::InvalidArgumentError(absl::StrCat(
          "request: is not a valid ", type->full_name(),
          " (truncated, or not protobuf of this method's request)")),
      "MALFORMED_REQUEST");
}

absl::Status ParseRequest(const grpc::ByteBuffer& bytes,
                          google::protobuf::Message* message) {
  grpc::ByteBuffer copy(
      bytes);  // shares the slices: ProtoBufferReader wants it mutable
  {
    grpc::ProtoBufferReader reader(&copy);
    if (reader.status().ok() && message->ParseFromZeroCopyStream(&reader)) {
      return absl::OkStatus();
    }
  }
  return DiagnoseUnparseable(message->GetDescriptor(), Flatten(bytes));
}

grpc::Status SerializeResponse(const google::protobuf::MessageLite& message,
                               grpc::ByteBuffer* bytes) {
  bool own_buffer = false;
  return grpc::GenericSerialize<grpc::ProtoBufferWriter,
                                google::protobuf::MessageLite>(message, bytes,
                                                               &own_buffer);
}

}  // namespace plaudit
