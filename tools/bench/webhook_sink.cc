// A webhook receiver for benchmarks: answers every POST 204 at once over
// keep-alive, and measures the rate it received them at and, from each
// webhook-id (a notification id: "<ms>-<n>", when the change was made),
// how late each came. Prints one "result:" line when --expect requests
// came, when no request came for --idle after the first, or on SIGTERM.
//   webhook_sink --port_file=/tmp/p [--expect=N] [--idle=2s]
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

ABSL_FLAG(std::string, port_file, "", "where to write the port listened on");
ABSL_FLAG(int64_t, expect, 0, "stop after this many requests (0: never)");
ABSL_FLAG(absl::Duration, idle, absl::Seconds(3),
          "stop when none came for this long after the first");

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::mutex mu;
std::vector<double> lags_ms;  // guarded by mu
absl::Time first = absl::InfinitePast(), last = absl::InfinitePast();
int64_t received = 0;

void Count(const http::request<http::string_body>& request) {
  const absl::Time now = absl::Now();
  std::lock_guard<std::mutex> lock(mu);
  if (received++ == 0) first = now;
  last = now;
  const auto id = request.find("webhook-id");
  if (id == request.end()) return;
  const std::string text(id->value());
  int64_t ms = 0;
  if (absl::SimpleAtoi(text.substr(0, text.find('-')), &ms)) {
    lags_ms.push_back(absl::ToDoubleMilliseconds(now - absl::FromUnixMillis(ms)));
  }
}

void Serve(net::ip::tcp::socket socket) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> request;
    beast::error_code error;
    http::read(socket, buffer, request, error);
    if (error) return;
    Count(request);
    http::response<http::empty_body> response(http::status::no_content, 11);
    response.keep_alive(request.keep_alive());
    http::write(socket, response, error);
    if (error || !request.keep_alive()) return;
  }
}

void Report() {
  std::lock_guard<std::mutex> lock(mu);
  std::sort(lags_ms.begin(), lags_ms.end());
  auto at = [](double q) {
    return lags_ms.empty() ? 0.0 : lags_ms[std::min(lags_ms.size() - 1,
                                                    static_cast<size_t>(q * lags_ms.size()))];
  };
  const double seconds = received > 1 ? absl::ToDoubleSeconds(last - first) : 0;
  std::cout << absl::StrFormat(
                   "result: requests=%d seconds=%.3f rate=%.0f lag_p50_ms=%.1f "
                   "lag_p99_ms=%.1f lag_max_ms=%.1f",
                   received, seconds, seconds > 0 ? (received - 1) / seconds : 0,
                   at(0.5), at(0.99), lags_ms.empty() ? 0.0 : lags_ms.back())
            << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  net::io_context io;
  net::ip::tcp::acceptor acceptor(
      io, {net::ip::make_address("127.0.0.1"), 0});
  std::ofstream(absl::GetFlag(FLAGS_port_file))
      << acceptor.local_endpoint().port() << "\n";
  std::thread([&] {
    for (;;) {
      net::ip::tcp::socket socket(io);
      beast::error_code error;
      acceptor.accept(socket, error);
      if (error) return;
      socket.set_option(net::ip::tcp::no_delay(true));
      std::thread(Serve, std::move(socket)).detach();
    }
  }).detach();
  std::thread([&] {  // stop on --expect or --idle
    for (;;) {
      absl::SleepFor(absl::Milliseconds(20));
      std::lock_guard<std::mutex> lock(mu);
      const int64_t expect = absl::GetFlag(FLAGS_expect);
      if ((expect > 0 && received >= expect) ||
          (received > 0 && absl::Now() - last > absl::GetFlag(FLAGS_idle))) {
        kill(getpid(), SIGTERM);
        return;
      }
    }
  }).detach();
  int signal = 0;
  sigwait(&stop, &signal);
  Report();
  std::_Exit(0);
}
