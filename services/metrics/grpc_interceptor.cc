#include "services/metrics/grpc_interceptor.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "services/common/burst_log.h"
#include "services/common/error_reason.h"

namespace plaudit {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(grpc::StatusCode code) {
  return StatusCodeName(static_cast<absl::StatusCode>(code));
}

// One line per method and code every 10 s at most: a client sending
// garbage in a loop does not flood the log (the metrics count every call).
BurstLog& FailureLog() {
  static BurstLog* log = new BurstLog(absl::Seconds(10));
  return *log;
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
      // Refused authentications are logged by the guard, per peer.
      if (!status.ok() && status.error_code() != grpc::StatusCode::UNAUTHENTICATED) {
        const char* code = CodeName(status.error_code());
        if (std::optional<std::string> line = FailureLog().Note(
                absl::StrCat(method_, " ", code),
                absl::StrCat(method_, " ", code, ": ", status.error_message()),
                absl::Now())) {
          LOG(WARNING) << *line;
        }
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
