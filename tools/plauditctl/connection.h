// How plauditctl talks to plauditd: one channel, the caller's key and name,
// a deadline per call; errors come back as absl::Status with the server's
// code and message.
#ifndef PLAUDIT_TOOLS_PLAUDITCTL_CONNECTION_H_
#define PLAUDIT_TOOLS_PLAUDITCTL_CONNECTION_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace plaudit::ctl {

struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::string actor;    // sent as "plaudit-actor" for the revision trail
  std::string api_key;  // sent as "authorization: Bearer <key>"
  absl::Duration timeout = absl::Seconds(30);
  std::ostream* out;
};

// A context for one call: deadline, key, actor.
std::unique_ptr<grpc::ClientContext> NewContext(const Connection& c);
absl::Status FromGrpc(const grpc::Status& status);
// One unary call with a fresh context (deadline, key, actor), e.g.
// Call(c, &v1::RuleService::Stub::GetRule, request).
template <class Stub, class Request, class Response>
absl::StatusOr<Response> Call(const Connection& c,
                              grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                           const Request&,
                                                           Response*),
                              const Request& request) {
  Stub stub(c.channel);
  Response response;
  absl::Status status =
      FromGrpc((stub.*method)(NewContext(c).get(), request, &response));
  if (!status.ok()) return status;
  return response;
}
// `status` with "<what>: " before its message ("rule likes: ...").
absl::Status Naming(absl::string_view what, const absl::Status& status);

// Prints `message` as indented JSON with proto field names, zeros too.
absl::Status PrintJson(const Connection& c,
                       const google::protobuf::Message& message);

// Local time, "2026-12-02 09:30:00".
std::string FormatTime(const google::protobuf::Timestamp& ts);

}  // namespace plaudit::ctl

#endif  // PLAUDIT_TOOLS_PLAUDITCTL_CONNECTION_H_
