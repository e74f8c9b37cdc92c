// plaudit-loadgen: drives plauditd with intranet-like events.
//   --mode=unary    RecordEvent, --concurrency calls in flight
//   --mode=batch    RecordEvents of --batch events, --concurrency in flight
//   --rate=N        N calls per second (open loop; latency counted from
//                   when each call was due), or 0: as fast as possible
// Random users (--users, with departments, offices and teams; imported
// first with --import_users), actions of the example rules, unique event
// ids. Prints events/s, calls/s and p50/p90/p99/max latency.
#include <algorithm>
#include <iostream>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "plaudit/v1/user_service.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "plauditd address");
ABSL_FLAG(std::string, api_key, "", "API key (default: $PLAUDIT_API_KEY)");
ABSL_FLAG(std::string, mode, "batch", "unary or batch");
ABSL_FLAG(int, concurrency, 64, "calls in flight");
ABSL_FLAG(int, batch, 100, "events per RecordEvents call (batch mode)");
ABSL_FLAG(double, rate, 0, "calls per second (0: as fast as possible)");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "how long to send");
ABSL_FLAG(int, users, 100'000, "distinct users");
ABSL_FLAG(bool, import_users, false, "upsert the users (with groups) first");
ABSL_FLAG(uint32_t, seed, 1, "random seed");

namespace plaudit::loadgen {
namespace {

struct Action {
  const char* name;
  bool subject;  // done to someone else's thing (a like)
};
constexpr Action kActions[] = {{"post.created", false},   {"comment.created", false},
                               {"like", true},            {"like", true},
                               {"like", true},            {"training.completed", false},
                               {"event.attended", false}};

std::string UserId(int i) { return absl::StrCat("u", i); }

class EventSource {
 public:
  EventSource(int users, uint32_t seed)
      : users_(users), random_(seed), run_(absl::ToUnixNanos(absl::Now())) {}

  void Fill(v1::Event* event) {
    const Action& action = kActions[random_() % std::size(kActions)];
    const int actor = random_() % users_;
    event->set_event_id(absl::StrCat("lg-", run_, "-", next_++));
    event->set_action(action.name);
    event->set_actor_id(UserId(actor));
    if (action.subject) {
      event->set_subject_id(UserId((actor + 1 + random_() % (users_ - 1)) % users_));
    }
    event->set_object_id(absl::StrCat("obj-", random_() % 1'000'000));
    if (random_() % 10 == 0) event->add_tags("priority");
  }

 private:
  const int users_;
  std::mt19937 random_;
  const int64_t run_;
  int64_t next_ = 0;
};

void AddKey(grpc::ClientContext* context, const std::string& key) {
  if (!key.empty()) context->AddMetadata("authorization", "Bearer " + key);
}

bool ImportUsers(grpc::Channel* channel, const std::string& key, int users) {
  auto stub = v1::UserService::NewStub(std::shared_ptr<grpc::Channel>(
      channel, [](grpc::Channel*) {}));
  for (int start = 0; start < users; start += 5000) {
    v1::ImportUsersRequest request;
    for (int i = start; i < std::min(users, start + 5000); ++i) {
      v1::User* user = request.add_users();
      user->set_user_id(UserId(i));
      user->set_display_name(absl::StrCat("Employee ", i));
      user->add_groups(absl::StrCat("dept:d", i % 20));
      user->add_groups(absl::StrCat("office:o", i % 7));
      user->add_groups(absl::StrCat("team:t", i % 500));
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

int Main() {
  std::string key = absl::GetFlag(FLAGS_api_key);
  if (key.empty() && getenv("PLAUDIT_API_KEY") != nullptr) key = getenv("PLAUDIT_API_KEY");
  const bool batch = absl::GetFlag(FLAGS_mode) == "batch";
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  const int per_call = batch ? absl::GetFlag(FLAGS_batch) : 1;
  const double rate = absl::GetFlag(FLAGS_rate);
  const int users = std::max(2, absl::GetFlag(FLAGS_users));
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_server),
                                     grpc::InsecureChannelCredentials());
  if (absl::GetFlag(FLAGS_import_users) && !ImportUsers(channel.get(), key, users)) {
    return 1;
  }
  auto stub = v1::EventService::NewStub(channel);
  EventSource source(users, absl::GetFlag(FLAGS_seed));
  grpc::CompletionQueue queue;
  std::vector<Call> calls(concurrency);
  std::vector<int> free_slots;
  for (int i = concurrency - 1; i >= 0; --i) free_slots.push_back(i);

  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::GetFlag(FLAGS_duration);
  absl::Time next_due = start;
  std::vector<double> latencies_ms;
  long long events = 0, errors = 0;
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
      for (int i = 0; i < per_call; ++i) source.Fill(request.add_events());
      call.batch_reader = stub->AsyncRecordEvents(call.context.get(), request, &queue);
      call.batch_reader->Finish(&call.batch, &call.status, tag);
    } else {
      v1::RecordEventRequest request;
      source.Fill(request.mutable_event());
      call.unary_reader = stub->AsyncRecordEvent(call.context.get(), request, &queue);
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
    latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - call.due));
    if (call.status.ok()) {
      events += call.events;
    } else {
      ++errors;
      if (errors <= 3) std::cerr << "loadgen: " << call.status.error_message() << "\n";
    }
    --in_flight;
    free_slots.push_back(slot);
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1,
                                       static_cast<size_t>(q * latencies_ms.size()))];
  };
  std::cout << absl::StrFormat(
      "mode=%s concurrency=%d batch=%d rate=%s duration=%.1fs\n"
      "events/s %.0f   calls/s %.0f   errors %d\n"
      "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
      batch ? "batch" : "unary", concurrency, per_call,
      rate > 0 ? absl::StrCat(rate, "/s") : "max", seconds, events / seconds,
      latencies_ms.size() / seconds, errors, at(0.5), at(0.9), at(0.99),
      latencies_ms.empty() ? 0.0 : latencies_ms.back());
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace plaudit::loadgen

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return plaudit::loadgen::Main();
}
