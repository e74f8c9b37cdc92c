// plaudit-loadgen: drives plauditd with intranet-like events.
//   --mode=unary    RecordEvent, --concurrency calls in flight
//   --mode=batch    RecordEvents of --batch events, --concurrency in flight
//   --mode=stream   StreamEvents: --concurrency streams, chunks of --batch
//                   events sent as fast as flow control lets them
//   --rate=N        N calls per second (open loop; latency counted from
//                   when each call was due), or 0: as fast as possible
// Random users (--users, with departments, offices and teams; imported
// first with --import_users), actions of the example rules, unique event
// ids. Prints events/s, calls/s and p50/p90/p99/max latency (per call, or
// per chunk when streaming), then one "result:" line for scripts.
// --write_frame=FILE writes one RecordEventsRequest of --batch events as a
// gRPC frame (for h2load) and exits.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "plaudit/v1/user_service.grpc.pb.h"
#include "tools/loadgen/event_source.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "plauditd address");
ABSL_FLAG(std::string, api_key, "", "API key (default: $PLAUDIT_API_KEY)");
ABSL_FLAG(std::string, mode, "batch", "unary, batch or stream");
ABSL_FLAG(int, concurrency, 64, "calls in flight");
ABSL_FLAG(int, batch, 100, "events per RecordEvents call (batch mode)");
ABSL_FLAG(double, rate, 0, "calls per second (0: as fast as possible)");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "how long to send");
ABSL_FLAG(int, users, 100'000, "distinct users");
ABSL_FLAG(bool, import_users, false, "upsert the users (with groups) first");
ABSL_FLAG(uint32_t, seed, 1, "random seed");
ABSL_FLAG(std::string, replay_frame, "",
          "batch mode: send this --write_frame batch every time (duplicates)");
ABSL_FLAG(std::string, write_frame, "",
          "write one RecordEventsRequest as a gRPC frame to this file, and exit");

namespace plaudit::loadgen {
namespace {

void AddKey(grpc::ClientContext* context, const std::string& key) {
  if (!key.empty()) context->AddMetadata("authorization", "Bearer " + key);
}

bool ImportUsers(grpc::Channel* channel, const std::string& key, int users) {
  auto stub = v1::UserService::NewStub(std::shared_ptr<grpc::Channel>(
      channel, [](grpc::Channel*) {}));
  for (int start = 0; start < users; start += 5000) {
    v1::ImportUsersRequest request;
    for (int i = start; i < std::min(users, start + 5000); ++i) {
      *request.add_users() = MakeUser(i);
    }
    v1::ImportUsersResponse response;
    grpc::ClientContext context;
    AddKey(&context, key);
    const grpc::Status status = stub->ImportUsers(&context, request, &response);
    if (!status.ok()) {
      std::cerr << "loadgen: ImportUsers: " << status.error_message() << "\n";
      return false;
    }
  }
  return true;
}

struct Call {
  std::unique_ptr<grpc::ClientContext> context;
  v1::RecordEventResponse unary;
  v1::RecordEventsResponse batch;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::RecordEventResponse>> unary_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::RecordEventsResponse>> batch_reader;
  grpc::Status status;
  absl::Time due;
  int events = 0;
};

struct Tally {
  long long events = 0;
  long long errors = 0;
  std::vector<double> latencies_ms;
  double seconds = 0;

  void Error(const std::string& what) {
    if (++errors <= 3) std::cerr << "loadgen: " << what << "\n";
  }
};

// Chunks a stream keeps unanswered at most.
constexpr size_t kStreamWindow = 8;

std::string RunName() { return absl::StrCat("lg-", absl::ToUnixNanos(absl::Now())); }

// RecordEvent or RecordEvents calls over one completion queue: closed loop
// (as fast as possible) or open loop at `rate` calls/s.
// `replay`: the batch to send every time, or null for fresh events.
Tally RunCalls(v1::EventService::Stub& stub, const std::string& key, bool batch,
               EventSource& source, const v1::RecordEventsRequest* replay) {
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const int per_call =
      !batch ? 1 : replay ? replay->events_size() : absl::GetFlag(FLAGS_batch);
  const double rate = absl::GetFlag(FLAGS_rate);
  grpc::CompletionQueue queue;
  std::vector<Call> calls(concurrency);
  std::vector<int> free_slots;
  for (int i = concurrency - 1; i >= 0; --i) free_slots.push_back(i);

  Tally tally;
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::GetFlag(FLAGS_duration);
  absl::Time next_due = start;
  int in_flight = 0;
  auto launch = [&](int slot, absl::Time due) {
    Call& call = calls[slot];
    call.context = std::make_unique<grpc::ClientContext>();
    AddKey(call.context.get(), key);
    call.due = due;
    call.events = per_call;
    void* tag = reinterpret_cast<void*>(static_cast<intptr_t>(slot));
    if (batch) {
      v1::RecordEventsRequest request;
      if (replay != nullptr) {
        request = *replay;
      } else {
        for (int i = 0; i < per_call; ++i) source.Fill(request.add_events());
      }
      call.batch_reader = stub.AsyncRecordEvents(call.context.get(), request, &queue);
      call.batch_reader->Finish(&call.batch, &call.status, tag);
    } else {
      v1::RecordEventRequest request;
      source.Fill(request.mutable_event());
      call.unary_reader = stub.AsyncRecordEvent(call.context.get(), request, &queue);
      call.unary_reader->Finish(&call.unary, &call.status, tag);
    }
    ++in_flight;
  };
  for (;;) {
    const absl::Time now = absl::Now();
    // Launch what is due (open loop) or whatever fits (closed loop).
    while (now < end && !free_slots.empty() && (rate <= 0 || next_due <= now)) {
      const int slot = free_slots.back();
      free_slots.pop_back();
      launch(slot, rate > 0 ? next_due : now);
      if (rate > 0) next_due += absl::Seconds(1.0 / rate);
    }
    if (now >= end && (in_flight == 0 || now > end + absl::Seconds(60))) break;
    // Before the end: wake when the next call is due; after: drain.
    const absl::Time wake = now >= end ? now + absl::Seconds(5)
                            : rate > 0 ? std::min(next_due, end)
                                       : end;
    void* tag = nullptr;
    bool ok = false;
    if (queue.AsyncNext(&tag, &ok, absl::ToChronoTime(wake)) !=
        grpc::CompletionQueue::GOT_EVENT) {
      continue;
    }
    const int slot = static_cast<int>(reinterpret_cast<intptr_t>(tag));
    Call& call = calls[slot];
    tally.latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - call.due));
    if (call.status.ok()) {
      tally.events += call.events;
    } else {
      tally.Error(call.status.error_message());
    }
    --in_flight;
    free_slots.push_back(slot);
  }
  tally.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return tally;
}

// One StreamEvents call: chunks written as fast as flow control allows,
// answers read on a second thread; latency is from a chunk's write to its
// answer.
void RunStream(v1::EventService::Stub& stub, const std::string& key,
               EventSource source, absl::Time end, Tally* tally,
               std::mutex* tally_mu) {
  const int per_chunk = absl::GetFlag(FLAGS_batch);
  grpc::ClientContext context;
  AddKey(&context, key);
  auto stream = stub.StreamEvents(&context);
  std::mutex mu;
  std::deque<absl::Time> sent;
  std::condition_variable answered;
  Tally mine;
  std::thread reader([&] {
    v1::StreamEventsResponse answer;
    while (stream->Read(&answer)) {
      absl::Time at;
      {
        std::lock_guard<std::mutex> lock(mu);
        at = sent.front();
        sent.pop_front();
      }
      answered.notify_one();
      mine.latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - at));
      for (const v1::EventResult& result : answer.results()) {
        if (result.has_outcome()) {
          ++mine.events;
        } else {
          mine.Error(result.error().message());
        }
      }
    }
  });
  while (absl::Now() < end) {
    v1::StreamEventsRequest chunk;
    for (int i = 0; i < per_chunk; ++i) source.Fill(chunk.add_events());
    {
      // Like a real sender, keep a bounded window of unanswered chunks: the
      // transport would otherwise buffer megabytes ahead of the server.
      std::unique_lock<std::mutex> lock(mu);
      answered.wait(lock, [&] { return sent.size() < kStreamWindow; });
      sent.push_back(absl::Now());
    }
    if (!stream->Write(chunk)) break;
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) mine.Error(status.error_message());
  std::lock_guard<std::mutex> lock(*tally_mu);
  tally->events += mine.events;
  tally->errors += mine.errors;
  tally->latencies_ms.insert(tally->latencies_ms.end(), mine.latencies_ms.begin(),
                             mine.latencies_ms.end());
}

Tally RunStreams(v1::EventService::Stub& stub, const std::string& key,
                 int users) {
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::GetFlag(FLAGS_duration);
  const std::string run = RunName();
  Tally tally;
  std::mutex tally_mu;
  std::vector<std::thread> streams;
  for (int s = 0; s < absl::GetFlag(FLAGS_concurrency); ++s) {
    streams.emplace_back(RunStream, std::ref(stub), key,
                         EventSource(users, absl::GetFlag(FLAGS_seed) + s,
                                     absl::StrCat(run, "-s", s)),
                         end, &tally, &tally_mu);
  }
  for (auto& stream : streams) stream.join();
  tally.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return tally;
}

// A gRPC length-prefixed message: uncompressed flag, 4-byte big-endian size.
bool WriteFrame(const std::string& path, int users) {
  EventSource source(users, absl::GetFlag(FLAGS_seed), RunName());
  v1::RecordEventsRequest request;
  for (int i = 0; i < absl::GetFlag(FLAGS_batch); ++i) source.Fill(request.add_events());
  const std::string body = request.SerializeAsString();
  const uint32_t size = static_cast<uint32_t>(body.size());
  const char prefix[5] = {0, static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                          static_cast<char>(size >> 8), static_cast<char>(size)};
  std::ofstream out(path, std::ios::binary);
  out.write(prefix, 5);
  out << body;
  return static_cast<bool>(out);
}

std::optional<v1::RecordEventsRequest> ReadFrame(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string frame((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  v1::RecordEventsRequest request;
  if (frame.size() < 5 || !request.ParseFromString(frame.substr(5))) {
    std::cerr << "loadgen: " << path << " is not a RecordEventsRequest frame\n";
    return std::nullopt;
  }
  return request;
}

int Main() {
  std::string key = absl::GetFlag(FLAGS_api_key);
  if (key.empty() && getenv("PLAUDIT_API_KEY") != nullptr) key = getenv("PLAUDIT_API_KEY");
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const int users = std::max(2, absl::GetFlag(FLAGS_users));
  if (!absl::GetFlag(FLAGS_write_frame).empty()) {
    return WriteFrame(absl::GetFlag(FLAGS_write_frame), users) ? 0 : 1;
  }
  if (mode != "unary" && mode != "batch" && mode != "stream") {
    std::cerr << "loadgen: --mode must be unary, batch or stream\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_server),
                                     grpc::InsecureChannelCredentials());
  if (absl::GetFlag(FLAGS_import_users) && !ImportUsers(channel.get(), key, users)) {
    return 1;
  }
  auto stub = v1::EventService::NewStub(channel);
  EventSource source(users, absl::GetFlag(FLAGS_seed), RunName());
  std::optional<v1::RecordEventsRequest> replay;
  if (!absl::GetFlag(FLAGS_replay_frame).empty()) {
    replay = ReadFrame(absl::GetFlag(FLAGS_replay_frame));
    if (!replay) return 1;
  }
  Tally tally = mode == "stream"
                    ? RunStreams(*stub, key, users)
                    : RunCalls(*stub, key, mode == "batch", source,
                               replay ? &*replay : nullptr);

  std::vector<double>& latencies = tally.latencies_ms;
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) {
    return latencies.empty()
               ? 0.0
               : latencies[std::min(latencies.size() - 1,
                                    static_cast<size_t>(q * latencies.size()))];
  };
  const double rate = absl::GetFlag(FLAGS_rate);
  const double events_per_second = tally.events / tally.seconds;
  std::cout << absl::StrFormat(
      "mode=%s concurrency=%d batch=%d rate=%s duration=%.1fs\n"
      "events/s %.0f   calls/s %.0f   errors %d\n"
      "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
      mode, absl::GetFlag(FLAGS_concurrency), absl::GetFlag(FLAGS_batch),
      rate > 0 ? absl::StrCat(rate, "/s") : "max", tally.seconds,
      events_per_second, latencies.size() / tally.seconds, tally.errors, at(0.5),
      at(0.9), at(0.99), latencies.empty() ? 0.0 : latencies.back());
  std::cout << absl::StrFormat(
      "result: events_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      "errors=%d\n",
      events_per_second, at(0.5), at(0.9), at(0.99),
      latencies.empty() ? 0.0 : latencies.back(), tally.errors);
  return tally.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace plaudit::loadgen

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil checks every mutex for deadlocks: not in a benchmark.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return plaudit::loadgen::Main();
}
