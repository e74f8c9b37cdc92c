// One handler core for every RPC: a service binds each method of its proto
// to a plain function — request in, absl::Status and response out — and
// RpcService does the rest the same way for all of them: admit the caller
// (key, role, rate limit), take the request's bytes from the in-flight
// budget, parse the request (INVALID_ARGUMENT naming what is wrong), run
// the body, convert its status once (ToGrpcStatus: code, capped message,
// reason), serialize the response.
//
// Methods are registered raw (bytes in, bytes out) because gRPC 1.51
// answers a request it cannot parse itself with UNIMPLEMENTED or INTERNAL
// and no message; the wire format is unchanged, generated stubs call them
// as before.
#ifndef PLAUDIT_SERVICES_RPC_RPC_SERVICE_H_
#define PLAUDIT_SERVICES_RPC_RPC_SERVICE_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/impl/rpc_method.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/metrics/metrics.h"
#include "services/rpc/request_budget.h"
#include "services/rpc/request_parsing.h"

namespace plaudit {

// What every call passes before its body runs.
struct CallGate {
  const CallGuard* guard = nullptr;
  RequestBudget* budget = nullptr;  // null: requests are not counted
  Metrics* metrics = nullptr;       // may be null
};

// Ends a call begun by an answer-later body: call it once, from any thread;
// the request and response stay valid until then.
class Reply {
 public:
  class Call {
   public:
    virtual void Answer(absl::Status status) = 0;

   protected:
    ~Call() = default;
  };
  explicit Reply(Call* call) : call_(call) {}
  void operator()(absl::Status status) const {
    call_->Answer(std::move(status));
  }

 private:
  Call* call_;
};

using StreamReactor =
    grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>;
using WriteReactor = grpc::ServerWriteReactor<grpc::ByteBuffer>;

class RpcService : public grpc::Service {
 public:
  // `full_name` is the proto service, e.g.
  // v1::EventService::service_full_name().
  RpcService(absl::string_view full_name, CallGate gate);

  // OK when every method of the proto service has a handler.
  absl::Status Complete() const;
  const google::protobuf::ServiceDescriptor* descriptor() const {
    return descriptor_;
  }

 protected:
  // A body that answers before it returns; it runs on one of gRPC's
  // synchronous threads and may block (on Redis).
  template <class S, class Req, class Resp>
  void Handle(absl::string_view method,
              absl::Status (S::*body)(const Caller&, const Req&, Resp*));
  // A body that answers later through `reply` (from a Redis callback); no
  // thread waits meanwhile. Request and response share one Arena.
  template <class S, class Req, class Resp>
  void Handle(absl::string_view method,
              void (S::*body)(const Caller&, const Req&, Resp*, Reply));
  // A bidirectional stream, whose reactor admits, parses and answers itself
  // (with AdmitCaller, ParseRequest and budget()).
  void HandleStream(
      absl::string_view method,
      std::function<StreamReactor*(grpc::CallbackServerContext*)> start);
  // A server stream (one request, many answers), whose reactor admits and
  // parses the request itself (AdmitCaller, ParseRequest).
  void HandleServerStream(
      absl::string_view method,
      std::function<WriteReactor*(grpc::CallbackServerContext*,
                                  const grpc::ByteBuffer*)>
          start);

  // The guard's verdict on a call of `method` ("RecordEvent").
  absl::StatusOr<Caller> AdmitCaller(const grpc::ServerContextBase& context,
                                     absl::string_view method) const;
  RequestBudget* budget() const { return gate_.budget; }
  Metrics* metrics() const { return gate_.metrics; }

 private:
  struct Method {
    std::string path;        // "/plaudit.v1.EventService/RecordEvent"
    std::string guard_name;  // "EventService/RecordEvent"
  };
  struct Admitted {
    Caller caller;
    BudgetCharge charge;
  };
  template <class Req, class Resp>
  class UnaryCall;

  // Checks that `method` exists with these types; remembers its names.
  const Method& Declare(absl::string_view method,
                        const google::protobuf::Descriptor* request,
                        const google::protobuf::Descriptor* response,
                        bool streaming);
  // Declare for a streaming method, whose types the proto names.
  const Method& DeclareStream(absl::string_view method);
  // Admits the caller, charges the budget, parses `bytes` into `request`.
  absl::StatusOr<Admitted> Admit(const Method& method,
                                 const grpc::ServerContextBase& context,
                                 const grpc::ByteBuffer& bytes,
                                 google::protobuf::Message* request) const;
  using SyncHandler =
      std::function<grpc::Status(const grpc::ServerContextBase&,
                                 const grpc::ByteBuffer&, grpc::ByteBuffer*)>;
  using CallbackHandler = std::function<grpc::ServerUnaryReactor*(
      grpc::CallbackServerContext*, const grpc::ByteBuffer*,
      grpc::ByteBuffer*)>;
  void AddSync(const Method& method, SyncHandler handler);
  void AddCallback(const Method& method, CallbackHandler handler);
  void AddRawCallback(const Method& method,
                      grpc::internal::RpcMethod::RpcType type,
                      grpc::internal::MethodHandler* handler);

  const google::protobuf::ServiceDescriptor* descriptor_;
  const CallGate gate_;
  std::deque<Method> methods_;  // stable: gRPC keeps pointers to the paths
};

// The state of one answer-later call: the request and response on an
// Arena whose first block is inline (most calls allocate nothing more), the
// caller, the budget charge. It answers through gRPC's default reactor,
// whose end runs inline (a reactor of our own would cost every call a hop
// to gRPC's executor for OnDone), and deletes itself as it answers.
template <class Req, class Resp>
class RpcService::UnaryCall final : public Reply::Call {
 public:
  UnaryCall(grpc::ServerUnaryReactor* reactor, grpc::ByteBuffer* out)
      : arena_(Options(block_)),
        request_(google::protobuf::Arena::CreateMessage<Req>(&arena_)),
        response_(google::protobuf::Arena::CreateMessage<Resp>(&arena_)),
        reactor_(reactor),
        out_(out) {}

  Req* request() { return request_; }
  Resp* response() { return response_; }
  Caller& caller() { return caller_; }
  void Hold(Admitted admitted) {
    caller_ = std::move(admitted.caller);
    charge_ = std::move(admitted.charge);
  }

  void Answer(absl::Status status) override {
    const grpc::Status answer = status.ok()
                                    ? SerializeResponse(*response_, out_)
                                    : ToGrpcStatus(status);
    grpc::ServerUnaryReactor* reactor = reactor_;
    // The request's room goes back once the answer is on its way.
    BudgetCharge done = std::move(charge_);
    delete this;
    reactor->Finish(answer);
  }

 private:
  static google::protobuf::ArenaOptions Options(char* block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block;
    options.initial_block_size = sizeof(block_);
    return options;
  }

  alignas(8) char block_[8192];
  google::protobuf::Arena arena_;
  Req* request_;
  Resp* response_;
  grpc::ServerUnaryReactor* const reactor_;  // gRPC's, for this call
  grpc::ByteBuffer* const out_;  // gRPC's, valid until the call is done
  Caller caller_;
  BudgetCharge charge_;
};

template <class S, class Req, class Resp>
void RpcService::Handle(absl::string_view name,
                        absl::Status (S::*body)(const Caller&, const Req&,
                                                Resp*)) {
  const Method& method =
      Declare(name, Req::descriptor(), Resp::descriptor(), false);
  S* self = static_cast<S*>(this);
  AddSync(method, [this, self, body, &method](
                      const grpc::ServerContextBase& context,
                      const grpc::ByteBuffer& in, grpc::ByteBuffer* out) {
    Req request;
    Resp response;
    absl::StatusOr<Admitted> admitted = Admit(method, context, in, &request);
    if (!admitted.ok()) return ToGrpcStatus(admitted.status());
    const absl::Status status =
        (self->*body)(admitted->caller, request, &response);
    return status.ok() ? SerializeResponse(response, out)
                       : ToGrpcStatus(status);
  });
}

template <class S, class Req, class Resp>
void RpcService::Handle(absl::string_view name,
                        void (S::*body)(const Caller&, const Req&, Resp*,
                                        Reply)) {
  const Method& method =
      Declare(name, Req::descriptor(), Resp::descriptor(), false);
  S* self = static_cast<S*>(this);
  AddCallback(method, [this, self, body, &method](
                          grpc::CallbackServerContext* context,
                          const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    auto* call = new UnaryCall<Req, Resp>(reactor, out);
    absl::StatusOr<Admitted> admitted =
        Admit(method, *context, *in, call->request());
    if (!admitted.ok()) {
      call->Answer(admitted.status());
      return reactor;
    }
    call->Hold(*std::move(admitted));
    // The call may be answered (and gone) by the time the body returns.
    (self->*body)(call->caller(), *call->request(), call->response(),
                  Reply(call));
    return reactor;
  });
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RPC_RPC_SERVICE_H_
