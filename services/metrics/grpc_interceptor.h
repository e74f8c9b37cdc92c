// One server interceptor measures every call (count by method and code,
// latency, in flight) and logs failed calls (at most one line per method and code every 10 s, with
// a count of those held back) — no code in handlers,
// and no log line per successful call.
#ifndef PLAUDIT_SERVICES_METRICS_GRPC_INTERCEPTOR_H_
#define PLAUDIT_SERVICES_METRICS_GRPC_INTERCEPTOR_H_

#include "grpcpp/support/server_interceptor.h"
#include "services/metrics/metrics.h"

namespace plaudit {

class CallMetricsFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallMetricsFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics* metrics_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_METRICS_GRPC_INTERCEPTOR_H_
