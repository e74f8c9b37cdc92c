#include "tools/abuse/attacks.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "plaudit/v1/account_service.grpc.pb.h"
#include "plaudit/v1/event_service.grpc.pb.h"

namespace plaudit::abuse {

const std::string& Http2Preface() {
  static const std::string* preface =
      new std::string(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") +
                      std::string("\x00\x00\x00\x04\x00\x00\x00\x00\x00",
                                  9));  // SETTINGS, empty
  return *preface;
}

SilentConnections::SilentConnections(int port, int count,
                                     const std::string& greeting) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
        0) {
      close(fd);
      break;
    }
    if (!greeting.empty())
      send(fd, greeting.data(), greeting.size(), MSG_NOSIGNAL);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fds_.push_back(fd);
    closed_.push_back(false);
  }
}

SilentConnections::~SilentConnections() { CloseAll(); }

int SilentConnections::ClosedByServer() {
  int closed = 0;
  char buffer[4096];
  for (size_t i = 0; i < fds_.size(); ++i) {
    // Whatever the server sent (SETTINGS, GOAWAY) is read; then EOF.
    while (!closed_[i]) {
      const ssize_t n = recv(fds_[i], buffer, sizeof(buffer), 0);
      if (n > 0) continue;
      if (n == 0 || errno != EAGAIN) closed_[i] = true;  // EOF or reset
      break;
    }
    closed += closed_[i] ? 1 : 0;
  }
  return closed;
}

void SilentConnections::CloseAll() {
  for (int fd : fds_) close(fd);
  fds_.clear();
  closed_.clear();
}

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("plaudit.abuse.channel", rand());  // never the same channel
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(),
                                   args);
}

// One stream: writes its chunks back to back, never reads.
class UnreadStreams::Writer final
    : public grpc::ClientBidiReactor<v1::StreamEventsRequest,
                                     v1::StreamEventsResponse> {
 public:
  Writer(UnreadStreams* owner, v1::EventService::Stub* stub, int stream)
      : owner_(owner), stream_(stream) {
    if (!owner_->options_.api_key.empty()) {
      context_.AddMetadata("authorization",
                           "Bearer " + owner_->options_.api_key);
    }
    stub->async()->StreamEvents(&context_, this);
    Next();
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return;  // the call is over; OnDone follows
    owner_->sent_.fetch_add(1);
    if (++written_ < owner_->options_.chunks_per_stream) {
      Next();
    } else {
      StartWritesDone();
    }
  }

  void OnDone(const grpc::Status&) override {
    absl::MutexLock lock(&owner_->mu_);
    ++owner_->done_;
  }

  void Cancel() { context_.TryCancel(); }
  int written() const { return written_; }

 private:
  void Next() {
    chunk_.Clear();
    const std::string padding(300, 'x');
    int bytes = 0;
    for (int e = 0; bytes < owner_->options_.chunk_bytes; ++e) {
      v1::Event* event = chunk_.add_events();
      event->set_event_id(
          absl::StrCat("abuse-", stream_, "-", written_, "-", e));
      event->set_action("abuse.sent");
      event->set_actor_id(absl::StrCat("user-", e % 50));
      (*event->mutable_attributes())["padding"] = padding;
      bytes += 340;
    }
    StartWrite(&chunk_);
  }

  UnreadStreams* const owner_;
  const int stream_;
  grpc::ClientContext context_;
  v1::StreamEventsRequest chunk_;
  int written_ = 0;
};

UnreadStreams::UnreadStreams(const std::string& server, Options options)
    : options_(std::move(options)) {
  std::vector<std::unique_ptr<v1::EventService::Stub>> stubs;
  for (int c = 0; c < options_.channels; ++c) {
    channels_.push_back(OwnChannel(server));
    stubs.push_back(v1::EventService::NewStub(channels_.back()));
  }
  for (int s = 0; s < options_.streams; ++s) {
    writers_.push_back(
        std::make_unique<Writer>(this, stubs[s % options_.channels].get(), s));
  }
  stubs_ = std::move(stubs);
}

UnreadStreams::~UnreadStreams() { Cancel(); }

int64_t UnreadStreams::chunks_attempted() const {
  return static_cast<int64_t>(options_.streams) * options_.chunks_per_stream;
}

void UnreadStreams::Cancel() {
  for (auto& writer : writers_) writer->Cancel();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](UnreadStreams* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
        return self->done_ == static_cast<int>(self->writers_.size());
      },
      this));
}

AuthFlood FloodWithWrongKeys(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& tenant, int calls) {
  auto stub = v1::AccountService::NewStub(channel);
  std::mt19937_64 random(std::random_device{}());
  AuthFlood flood;
  for (int i = 0; i < calls; ++i) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    const std::string key = absl::StrCat(
        "plk.", tenant, ".", absl::StrFormat("%016x", random()), ".",
        absl::StrFormat("%016x%016x%016x", random(), random(), random()));
    context.AddMetadata("authorization", "Bearer " + key);
    v1::GetBalanceRequest request;
    request.set_user_id("ann");
    v1::GetBalanceResponse response;
    const grpc::Status status = stub->GetBalance(&context, request, &response);
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      ++flood.unauthenticated;
    } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++flood.throttled;
    } else {
      ++flood.other;
    }
  }
  return flood;
}

}  // namespace plaudit::abuse
