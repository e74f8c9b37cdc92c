// Closed-loop load: `concurrency` threads each send one call after another
// for a while; latencies are kept whole for exact percentiles.
#ifndef PLAUDIT_TOOLS_BENCH_LOAD_H_
#define PLAUDIT_TOOLS_BENCH_LOAD_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace plaudit::bench {

struct LoadResult {
  std::string name;
  double requests_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long long errors = 0;
};

// `call(thread, i)` makes one request and returns whether it succeeded.
LoadResult RunClosedLoop(const std::string& name, int concurrency,
                         absl::Duration duration,
                         const std::function<bool(int, long long)>& call);

LoadResult Summarize(const std::string& name, std::vector<double> latencies_ms,
                     long long errors, absl::Duration elapsed);

// Keeps `concurrency` unary calls in flight from one thread over a
// completion queue (the cheapest gRPC client: the load generator should
// not take the CPU away from the server it measures).
// `start(context, queue, slot)` begins one call; `ok(response)` checks it.
template <typename Response>
LoadResult RunAsyncLoop(
    const std::string& name, int concurrency, absl::Duration duration,
    const std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<Response>>(
        grpc::ClientContext*, grpc::CompletionQueue*, int)>& start,
    const std::function<bool(const Response&)>& ok) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
    Response response;
    grpc::Status status;
    absl::Time began;
  };
  grpc::CompletionQueue queue;
  std::vector<Call> calls(concurrency);
  auto launch = [&](int slot) {
    Call& call = calls[slot];
    call.context = std::make_unique<grpc::ClientContext>();
    call.response.Clear();
    call.began = absl::Now();
    call.reader = start(call.context.get(), &queue, slot);
    call.reader->Finish(&call.response, &call.status,
                        reinterpret_cast<void*>(static_cast<intptr_t>(slot)));
  };
  std::vector<double> latencies;
  long long errors = 0;
  const absl::Time begin = absl::Now();
  const absl::Time end = begin + duration;
  for (int slot = 0; slot < concurrency; ++slot) launch(slot);
  int in_flight = concurrency;
  void* tag = nullptr;
  bool done = false;
  while (in_flight > 0 && queue.Next(&tag, &done)) {
    const int slot = static_cast<int>(reinterpret_cast<intptr_t>(tag));
    Call& call = calls[slot];
    const absl::Time now = absl::Now();
    latencies.push_back(absl::ToDoubleMilliseconds(now - call.began));
    if (!call.status.ok() || !ok(call.response)) ++errors;
    if (now < end) {
      launch(slot);
    } else {
      --in_flight;
    }
  }
  return Summarize(name, std::move(latencies), errors, absl::Now() - begin);
}

// Several runs of one measurement: mean rate and p50, the worst p99.
LoadResult Mean(const std::vector<LoadResult>& runs);

// "| name | req/s | p50 ms | p99 ms | ratio |" rows of a Markdown table.
std::string FormatRow(const LoadResult& result, const LoadResult* baseline);

}  // namespace plaudit::bench

#endif  // PLAUDIT_TOOLS_BENCH_LOAD_H_
