// What a careless or hostile client does to a server, as code: used by
// tests/abuse_test to prove plauditd survives each, and by tools/abuse to
// measure what it costs (peak memory, what was refused).
#ifndef PLAUDIT_TOOLS_ABUSE_ATTACKS_H_
#define PLAUDIT_TOOLS_ABUSE_ATTACKS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "plaudit/v1/event_service.grpc.pb.h"

namespace plaudit::abuse {

// What an HTTP/2 client sends first: the preface and an empty SETTINGS.
const std::string& Http2Preface();

// TCP connections to 127.0.0.1:port that send `greeting` (maybe nothing)
// and then nothing at all.
class SilentConnections {
 public:
  // Opens up to `count` (fewer when this process runs out of descriptors).
  SilentConnections(int port, int count, const std::string& greeting);
  ~SilentConnections();

  int opened() const { return static_cast<int>(fds_.size()); }
  // How many the server has closed by now (without waiting).
  int ClosedByServer();
  void CloseAll();

 private:
  std::vector<int> fds_;
  std::vector<bool> closed_;
};

// A channel of its own (no connection shared with other channels).
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& server);

// StreamEvents calls that send chunks of events and never read an answer.
class UnreadStreams {
 public:
  struct Options {
    int streams = 100;
    int channels = 4;            // the streams are spread over these
    int chunk_bytes = 40'000;    // about this much per chunk
    int chunks_per_stream = 20;  // then WritesDone
    std::string api_key;         // empty: none sent (open mode)
  };
  UnreadStreams(const std::string& server, Options options);
  ~UnreadStreams();  // Cancel()

  // Chunks gRPC has finished writing (the server took them off the wire).
  int64_t chunks_sent() const { return sent_.load(); }
  int64_t chunks_attempted() const;
  // Cancels every stream and waits until all are done.
  void Cancel();

 private:
  class Writer;
  Options options_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::EventService::Stub>> stubs_;
  std::vector<std::unique_ptr<Writer>> writers_;
  std::atomic<int64_t> sent_{0};
  absl::Mutex mu_;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
};

struct AuthFlood {
  int unauthenticated = 0;
  int throttled = 0;  // RESOURCE_EXHAUSTED
  int other = 0;
};
// `calls` GetBalance calls, each with a different made-up key.
AuthFlood FloodWithWrongKeys(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& tenant, int calls);

}  // namespace plaudit::abuse

#endif  // PLAUDIT_TOOLS_ABUSE_ATTACKS_H_
