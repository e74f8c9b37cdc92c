// abuse: does to a running plauditd what a careless or hostile client
// would, and prints what it cost: peak memory of the server (VmHWM of
// --pid), what was refused or held back, and what a new client hears
// during and after.
//   abuse --server=127.0.0.1:50051 --pid=$(pidof plauditd) --attack=streams
//   attacks: streams (unread StreamEvents), connections (silent TCP),
//            idle (HTTP/2 preface, then nothing), auth (made-up keys)
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "tools/abuse/attacks.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "plauditd's gRPC address");
ABSL_FLAG(int, pid, 0, "plauditd's process id (for its peak memory)");
ABSL_FLAG(std::string, attack, "streams",
          "streams | connections | idle | auth");
ABSL_FLAG(int, streams, 1000, "streams: how many");
ABSL_FLAG(int, channels, 10, "streams: over how many connections");
ABSL_FLAG(int, chunk_bytes, 40'000, "streams: bytes per chunk");
ABSL_FLAG(int, chunks, 20, "streams: chunks each stream tries to send");
ABSL_FLAG(int, connections, 2000, "connections, idle: how many");
ABSL_FLAG(int, calls, 10'000, "auth: how many calls with made-up keys");
ABSL_FLAG(std::string, tenant, "default",
          "auth: the tenant the made-up keys name");
ABSL_FLAG(std::string, api_key, "",
          "The key a new client presents (keyed mode); empty: none");
ABSL_FLAG(absl::Duration, hold, absl::Seconds(10),
          "How long the attack is held");

namespace {

int64_t PeakRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view view(line);
    if (absl::ConsumePrefix(&view, "VmHWM:")) {
      int64_t kb = 0;
      absl::SimpleAtoi(
          absl::StripSuffix(absl::StripAsciiWhitespace(view), " kB"), &kb);
      return kb;
    }
  }
  return -1;
}

grpc::Status ProbeOnce(plaudit::v1::EventService::Stub* stub) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.set_wait_for_ready(true);
  const std::string key = absl::GetFlag(FLAGS_api_key);
  if (!key.empty()) context.AddMetadata("authorization", "Bearer " + key);
  plaudit::v1::RecordEventRequest request;
  request.mutable_event()->set_event_id(
      absl::StrCat("abuse-probe-", absl::ToUnixNanos(absl::Now())));
  request.mutable_event()->set_action("abuse.probe");
  request.mutable_event()->set_actor_id("probe");
  plaudit::v1::RecordEventResponse response;
  return stub->RecordEvent(&context, request, &response);
}

std::string Outcome(const grpc::Status& status) {
  if (status.ok()) return "OK";
  return absl::StrCat(plaudit::StatusCodeName(
                          static_cast<absl::StatusCode>(status.error_code())),
                      " ", plaudit::ErrorReasonOf(status));
}

// A fresh client's call: what a newcomer hears now ("OK", or the code and
// reason; UNAVAILABLE or DEADLINE_EXCEEDED means not served at all). Told
// to retry later, it waits as told once, as a well-behaved client would.
std::string NewClient(const std::string& server) {
  auto stub =
      plaudit::v1::EventService::NewStub(plaudit::abuse::OwnChannel(server));
  const grpc::Status first = ProbeOnce(stub.get());
  const std::optional<absl::Duration> delay = plaudit::RetryDelayOf(first);
  if (first.ok() || !delay.has_value()) return Outcome(first);
  absl::SleepFor(*delay);
  return absl::StrCat(Outcome(first), ", then after the ",
                      absl::ToInt64Milliseconds(*delay),
                      " ms retry delay: ", Outcome(ProbeOnce(stub.get())));
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string server = absl::GetFlag(FLAGS_server);
  const int pid = absl::GetFlag(FLAGS_pid);
  const std::string attack = absl::GetFlag(FLAGS_attack);
  int port = 0;
  absl::SimpleAtoi(server.substr(server.rfind(':') + 1), &port);
  const int64_t rss_before = pid > 0 ? PeakRssKb(pid) : -1;
  std::cout << "attack: " << attack << "\n";
  if (attack == "streams") {
    plaudit::abuse::UnreadStreams::Options options;
    options.streams = absl::GetFlag(FLAGS_streams);
    options.channels = absl::GetFlag(FLAGS_channels);
    options.chunk_bytes = absl::GetFlag(FLAGS_chunk_bytes);
    options.chunks_per_stream = absl::GetFlag(FLAGS_chunks);
    plaudit::abuse::UnreadStreams streams(server, options);
    absl::SleepFor(absl::GetFlag(FLAGS_hold));
    const std::string served = NewClient(server);
    std::cout << "streams: " << options.streams << " over " << options.channels
              << " connections, chunks of ~" << options.chunk_bytes
              << " bytes\n"
              << "chunks sent: " << streams.chunks_sent() << " of "
              << streams.chunks_attempted() << " (the rest held back)\n"
              << "a new client during the attack: " << served << "\n";
    streams.Cancel();
  } else if (attack == "connections" || attack == "idle") {
    plaudit::abuse::SilentConnections flood(
        port, absl::GetFlag(FLAGS_connections),
        attack == "idle" ? plaudit::abuse::Http2Preface() : "");
    absl::SleepFor(absl::GetFlag(FLAGS_hold));
    std::cout << "connections opened: " << flood.opened()
              << ", closed by the server: " << flood.ClosedByServer() << "\n"
              << "a new client during the attack: " << NewClient(server)
              << "\n";
  } else if (attack == "auth") {
    const absl::Time start = absl::Now();
    const plaudit::abuse::AuthFlood flood = plaudit::abuse::FloodWithWrongKeys(
        plaudit::abuse::OwnChannel(server), absl::GetFlag(FLAGS_tenant),
        absl::GetFlag(FLAGS_calls));
    std::cout << "calls: " << absl::GetFlag(FLAGS_calls) << " in "
              << absl::FormatDuration(absl::Now() - start)
              << ", UNAUTHENTICATED: " << flood.unauthenticated
              << ", throttled: " << flood.throttled
              << ", other: " << flood.other << "\n";
  } else {
    std::cerr << "abuse: unknown --attack=" << attack << "\n";
    return 2;
  }
  std::cout << "a new client after the attack: " << NewClient(server) << "\n";
  if (pid > 0) {
    std::cout << "plauditd peak RSS: " << rss_before / 1024 << " MB before, "
              << PeakRssKb(pid) / 1024 << " MB during\n";
  }
  return 0;
}
