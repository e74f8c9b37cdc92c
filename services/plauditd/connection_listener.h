// plauditd's own accept loop in front of gRPC. gRPC 1.51 stops accepting
// for good after one accept4() fails with EMFILE; here a connection that
// arrives when descriptors run short is accepted and closed at once (a
// spare descriptor makes that possible even at the limit), and accepting
// goes on as soon as descriptors free up. It also caps open connections
// and keeps `reserved_descriptors` for plauditd's own needs (Redis
// reconnects, /metrics, logs): clients never get the last ones. Accepted
// connections go to gRPC through its external connection acceptor, which
// does the TLS handshake (if any) and HTTP/2 as for its own listener.
#ifndef PLAUDIT_SERVICES_PLAUDITD_CONNECTION_LISTENER_H_
#define PLAUDIT_SERVICES_PLAUDITD_CONNECTION_LISTENER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_builder.h"
#include "services/common/burst_log.h"
#include "services/metrics/metrics.h"

namespace plaudit {

struct ListenerOptions {
  // host:port (port 0: any free one); an IPv6 host in brackets, [::]:50051.
  std::string address = "127.0.0.1:50051";
  // Client connections open at once; more are closed as they arrive.
  int max_connections = 10'000;
  // Descriptors never handed to clients.
  int reserved_descriptors = 64;
};

// True when accepting `fd` would leave fewer than `reserved` of the
// process's `limit` descriptors: all below `fd` are in use (the kernel
// hands out the lowest free number), so at most limit - fd - 1 are free.
bool TooFewDescriptorsLeft(int fd, int64_t limit, int reserved);

class ConnectionListener {
 public:
  // Binds and listens; nothing is accepted before Start.
  static absl::StatusOr<std::unique_ptr<ConnectionListener>> Listen(
      ListenerOptions options, Metrics* metrics);
  ~ConnectionListener();  // Stop()

  int port() const { return port_; }
  // Accepts on a thread of its own, handing connections to `acceptor`.
  void Start(
      std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor);
  // Stops accepting and closes the listening socket (open connections are
  // gRPC's to finish).
  void Stop();

 private:
  ConnectionListener(ListenerOptions options, Metrics* metrics, int listen_fd,
                     int wake_fd, int port);
  void Run();
  // Accepts what is queued; false when it must back off (no descriptor
  // even for refusing).
  bool AcceptQueued();
  void Admit(int fd);
  void Refuse(int fd, const char* reason);
  // Forgets connections gRPC has closed (their descriptor is gone or now
  // another socket's): each socket has a unique cookie.
  void Sweep();

  const ListenerOptions options_;
  Metrics* const metrics_;
  const int listen_fd_;
  const int wake_fd_;  // eventfd: Stop wakes the loop
  const int port_;
  int spare_fd_ = -1;  // closed to make room for refusing at the limit
  int64_t descriptor_limit_ = 0;
  int64_t reserved_ = 0;
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  // Only the accept thread touches these.
  absl::flat_hash_map<int, uint64_t> open_;  // descriptor -> socket cookie
  absl::Time swept_ = absl::InfinitePast();
  BurstLog log_{absl::Seconds(10)};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit now.
int64_t RaiseDescriptorLimit();

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_PLAUDITD_CONNECTION_LISTENER_H_
