#include "services/rpc/rpc_service.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/support/method_handler.h"
#include "services/common/call_metadata.h"
#include "services/common/error_reason.h"

namespace plaudit {
namespace {

using grpc::internal::RpcMethod;
using grpc::internal::RpcServiceMethod;

// How long a client refused for a full budget should wait.
constexpr absl::Duration kBusyRetry = absl::Milliseconds(200);

}  // namespace

RpcService::RpcService(absl::string_view full_name, CallGate gate)
    : descriptor_(
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              std::string(full_name))),
      gate_(gate) {
  CHECK(descriptor_ != nullptr) << "no proto service " << full_name;
  CHECK(gate_.guard != nullptr) << full_name << ": a CallGuard is required";
}

const RpcService::Method& RpcService::Declare(
    absl::string_view name, const google::protobuf::Descriptor* request,
    const google::protobuf::Descriptor* response, bool streaming) {
  const google::protobuf::MethodDescriptor* method =
      descriptor_->FindMethodByName(std::string(name));
  CHECK(method != nullptr) << descriptor_->full_name() << " has no method "
                           << name;
  CHECK(method->input_type() == request && method->output_type() == response)
      << method->full_name() << ": handler types differ from the proto";
  CHECK_EQ(method->client_streaming() || method->server_streaming(), streaming)
      << method->full_name() << ": streaming differs from the proto";
  methods_.push_back(
      {absl::StrCat("/", descriptor_->full_name(), "/", method->name()),
       absl::StrCat(descriptor_->name(), "/", method->name())});
  return methods_.back();
}

absl::Status RpcService::Complete() const {
  std::vector<std::string> missing;
  for (int i = 0; i < descriptor_->method_count(); ++i) {
    const std::string path = absl::StrCat("/", descriptor_->full_name(), "/",
                                          descriptor_->method(i)->name());
    bool bound = false;
    for (const Method& method : methods_) bound = bound || method.path == path;
    if (!bound) missing.push_back(descriptor_->method(i)->name());
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(descriptor_->full_name(),
                                          ": no handler for ",
                                          absl::StrJoin(missing, ", ")));
}

absl::StatusOr<Caller> RpcService::AdmitCaller(
    const grpc::ServerContextBase& context, absl::string_view method) const {
  absl::StatusOr<Caller> caller = gate_.guard->Admit(
      context, absl::StrCat(descriptor_->name(), "/", method));
  if (caller.ok()) caller->actor = CallerName(context);
  return caller;
}

absl::StatusOr<RpcService::Admitted> RpcService::Admit(
    const Method& method, const grpc::ServerContextBase& context,
    const grpc::ByteBuffer& bytes, google::protobuf::Message* request) const {
  absl::StatusOr<Caller> caller =
      gate_.guard->Admit(context, method.guard_name);
  if (!caller.ok()) return caller.status();
  caller->actor = CallerName(context);
  BudgetCharge charge;
  if (gate_.budget != nullptr) {
    const auto size = static_cast<int64_t>(bytes.Length());
    if (!gate_.budget->TryTake(size)) {
      if (gate_.metrics != nullptr) gate_.metrics->RequestShed();
      return WithRetryDelay(
          WithReason(absl::ResourceExhaustedError(absl::StrCat(
                         "server busy: ", gate_.budget->limit(),
                         " bytes of requests in flight; retry in ",
                         absl::ToInt64Milliseconds(kBusyRetry), " ms")),
                     "SERVER_BUSY"),
          kBusyRetry);
    }
    charge = BudgetCharge(gate_.budget, size);
  }
  if (absl::Status parsed = ParseRequest(bytes, request); !parsed.ok())
    return parsed;
  return Admitted{*std::move(caller), std::move(charge)};
}

void RpcService::AddSync(const Method& method, SyncHandler handler) {
  AddMethod(new RpcServiceMethod(
      method.path.c_str(), RpcMethod::NORMAL_RPC,
      new grpc::internal::RpcMethodHandler<RpcService, grpc::ByteBuffer,
                                           grpc::ByteBuffer>(
          [handler = std::move(handler)](
              RpcService*, grpc::ServerContext* context,
              const grpc::ByteBuffer* in,
              grpc::ByteBuffer* out) { return handler(*context, *in, out); },
          this)));
}

void RpcService::AddRawCallback(const Method& method, RpcMethod::RpcType type,
                                grpc::internal::MethodHandler* handler) {
  auto* rpc = new RpcServiceMethod(method.path.c_str(), type, handler);
  rpc->SetServerApiType(RpcServiceMethod::ApiType::RAW_CALL_BACK);
  AddMethod(rpc);
}

void RpcService::AddCallback(const Method& method, CallbackHandler handler) {
  AddRawCallback(method, RpcMethod::NORMAL_RPC,
                 new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer,
                                                          grpc::ByteBuffer>(
                     std::move(handler)));
}

const RpcService::Method& RpcService::DeclareStream(absl::string_view name) {
  const google::protobuf::MethodDescriptor* method =
      descriptor_->FindMethodByName(std::string(name));
  CHECK(method != nullptr) << descriptor_->full_name() << " has no method "
                           << name;
  return Declare(name, method->input_type(), method->output_type(), true);
}

void RpcService::HandleStream(
    absl::string_view name,
    std::function<StreamReactor*(grpc::CallbackServerContext*)> start) {
  AddRawCallback(DeclareStream(name), RpcMethod::BIDI_STREAMING,
                 new grpc::internal::CallbackBidiHandler<grpc::ByteBuffer,
                                                         grpc::ByteBuffer>(
                     std::move(start)));
}

void RpcService::HandleServerStream(
    absl::string_view name,
    std::function<WriteReactor*(grpc::CallbackServerContext*,
                                const grpc::ByteBuffer*)>
        start) {
  AddRawCallback(
      DeclareStream(name), RpcMethod::SERVER_STREAMING,
      new grpc::internal::CallbackServerStreamingHandler<grpc::ByteBuffer,
                                                         grpc::ByteBuffer>(
          std::move(start)));
}

}  // namespace plaudit
