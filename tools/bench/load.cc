#include "tools/bench/load.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace plaudit::bench {

LoadResult RunClosedLoop(const std::string& name, int concurrency,
                         absl::Duration duration,
                         const std::function<bool(int, long long)>& call) {
  std::vector<std::vector<double>> latencies(concurrency);
  std::atomic<long long> errors{0};
  const absl::Time start = absl::Now();
  const absl::Time end = start + duration;
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      for (long long i = 0; absl::Now() < end; ++i) {
        const absl::Time before = absl::Now();
        if (!call(t, i)) ++errors;
        latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - before));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<double> all;
  for (const auto& per_thread : latencies) {
    all.insert(all.end(), per_thread.begin(), per_thread.end());
  }
  return Summarize(name, std::move(all), errors.load(), absl::Now() - start);
}

LoadResult Summarize(const std::string& name, std::vector<double> all,
                     long long errors, absl::Duration elapsed) {
  std::sort(all.begin(), all.end());
  LoadResult result;
  result.name = name;
  result.errors = errors;
  if (!all.empty()) {
    result.requests_per_second =
        static_cast<double>(all.size()) / absl::ToDoubleSeconds(elapsed);
    result.p50_ms = all[all.size() / 2];
    result.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return result;
}

LoadResult Mean(const std::vector<LoadResult>& runs) {
  LoadResult mean;
  if (runs.empty()) return mean;
  mean.name = runs.front().name;
  for (const LoadResult& run : runs) {
    mean.requests_per_second += run.requests_per_second / runs.size();
    mean.p50_ms += run.p50_ms / runs.size();
    mean.p99_ms = std::max(mean.p99_ms, run.p99_ms);
    mean.errors += run.errors;
  }
  return mean;
}

std::string FormatRow(const LoadResult& r, const LoadResult* baseline) {
  const std::string ratio =
      baseline && baseline->requests_per_second > 0
          ? absl::StrFormat("%.2f", r.requests_per_second /
                                        baseline->requests_per_second)
          : "1.00 (baseline)";
  return absl::StrFormat("| %s | %.0f | %.2f | %.2f | %s |%s\n", r.name,
                         r.requests_per_second, r.p50_ms, r.p99_ms, ratio,
                         r.errors ? absl::StrFormat(" %d errors", r.errors) : "");
}

}  // namespace plaudit::bench
