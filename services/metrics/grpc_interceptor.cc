#include "services/metrics/grpc_interceptor.h"

#include "absl/time/clock.h"
#include "glog/logging.h"

namespace plaudit {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK",           "CANCELLED",          "UNKNOWN",
      "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED",      "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS",    "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
}

class CallMetrics final : public grpc::experimental::Interceptor {
 public:
  CallMetrics(grpc::experimental::ServerRpcInfo* info, Metrics* metrics)
      : method_(info->method()), metrics_(metrics), start_(absl::Now()) {
    metrics_->CallStarted();
  }

  ~CallMetrics() override {
    // A call that ended without sending a status was cancelled by the peer.
    if (!finished_) {
      metrics_->CallFinished(method_, "CANCELLED", absl::Now() - start_);
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      finished_ = true;
      metrics_->CallFinished(method_, CodeName(status.error_code()),
                             absl::Now() - start_);
      if (!status.ok()) {
        LOG(WARNING) << method_ << " " << CodeName(status.error_code()) << ": "
                     << status.error_message();
      }
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  Metrics* metrics_;
  const absl::Time start_;
  bool finished_ = false;
};

}  // namespace

grpc::experimental::Interceptor* CallMetricsFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallMetrics(info, metrics_);
}

}  // namespace plaudit
