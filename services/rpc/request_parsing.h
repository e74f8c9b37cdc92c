// Turning the bytes of a request into its message, with an answer a
// client can act on when they are not one: gRPC 1.51 answers a request it
// cannot parse with UNIMPLEMENTED or INTERNAL and no message, so plauditd
// receives requests as bytes and parses them itself.
#ifndef PLAUDIT_SERVICES_RPC_REQUEST_PARSING_H_
#define PLAUDIT_SERVICES_RPC_REQUEST_PARSING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace plaudit {

// Parses `bytes` into `message`. INVALID_ARGUMENT when they are not one:
// INVALID_UTF8 naming the string field ("events[3].actor_id: is not valid
// UTF-8"), else MALFORMED_REQUEST (truncated, or not protobuf at all).
absl::Status ParseRequest(const grpc::ByteBuffer& bytes,
                          google::protobuf::Message* message);

// Why `bytes` do not parse as `type` (the slow path of ParseRequest).
absl::Status DiagnoseUnparseable(const google::protobuf::Descriptor* type,
                                 absl::string_view bytes);

// Structurally valid UTF-8 as protobuf requires of proto3 strings: no
// overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(absl::string_view text);

// The serialized `message` as the bytes of a response.
grpc::Status SerializeResponse(const google::protobuf::MessageLite& message,
                               grpc::ByteBuffer* bytes);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RPC_REQUEST_PARSING_H_
