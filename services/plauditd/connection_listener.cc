#include "services/plauditd/connection_listener.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"

namespace plaudit {
namespace {

constexpr int kSweepEveryMs = 1000;
constexpr int kBackOffMs = 100;

int64_t DescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  return limit.rlim_cur == RLIM_INFINITY ? (int64_t{1} << 20)
                                         : static_cast<int64_t>(limit.rlim_cur);
}

uint64_t Cookie(int fd) {
  uint64_t cookie = 0;
  socklen_t length = sizeof(cookie);
  if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &length) != 0) return 0;
  return cookie;
}

absl::Status SplitHostPort(const std::string& address, std::string* host,
                           std::string* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: ", address, " is not host:port"));
  }
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  int number = 0;
  if (!absl::SimpleAtoi(*port, &number) || number < 0 || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: port of ", address, " is not 0-65535"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> BindAndListen(const std::string& address) {
  std::string host, port;
  if (auto s = SplitHostPort(address, &host, &port); !s.ok()) return s;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int e = getaddrinfo(host.empty() ? nullptr : host.c_str(),
                                port.c_str(), &hints, &found);
      e != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen: cannot resolve ", address, ": ", gai_strerror(e)));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd =
        socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
               a->ai_protocol);
    if (fd < 0) continue;
    const int on = 1, off = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (a->ai_family == AF_INET6) {
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
                 sizeof(off));  // dual stack
    }
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 &&
        listen(fd, SOMAXCONN) == 0) {
      freeaddrinfo(found);
      return fd;
    }
    error = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(
      absl::StrCat("cannot listen on ", address, ": ", error));
}

int BoundPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return 0;
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

}  // namespace

bool TooFewDescriptorsLeft(int fd, int64_t limit, int reserved) {
  return fd >= limit - reserved;
}

int64_t RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  return DescriptorLimit();
}

absl::StatusOr<std::unique_ptr<ConnectionListener>> ConnectionListener::Listen(
    ListenerOptions options, Metrics* metrics) {
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError("max_connections: must be at least 1");
  }
  if (options.reserved_descriptors < 8) {
    return absl::InvalidArgumentError(
        "reserved_descriptors: must be at least 8");
  }
  absl::StatusOr<int> fd = BindAndListen(options.address);
  if (!fd.ok()) return fd.status();
  if (Cookie(*fd) == 0) {
    LOG(WARNING)
        << "this kernel gives sockets no SO_COOKIE: closed connections "
           "cannot be told apart, --max_connections is not enforced";
  }
  const int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) {
    close(*fd);
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  return std::unique_ptr<ConnectionListener>(
      new ConnectionListener(options, metrics, *fd, wake, BoundPort(*fd)));
}

ConnectionListener::ConnectionListener(ListenerOptions options,
                                       Metrics* metrics, int listen_fd,
                                       int wake_fd, int port)
    : options_(std::move(options)),
      metrics_(metrics),
      listen_fd_(listen_fd),
      wake_fd_(wake_fd),
      port_(port) {
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

ConnectionListener::~ConnectionListener() {
  Stop();
  close(wake_fd_);
  if (spare_fd_ >= 0) close(spare_fd_);
}

void ConnectionListener::Start(
    std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor) {
  acceptor_ = std::move(acceptor);
  descriptor_limit_ = DescriptorLimit();
  // A tiny limit (a test's ulimit -n) still leaves most to clients.
  reserved_ =
      std::min<int64_t>(options_.reserved_descriptors, descriptor_limit_ / 4);
  thread_ = std::thread([this] { Run(); });
}

void ConnectionListener::Stop() {
  if (stopping_.exchange(true)) return;
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
  // Closed, not just unwatched: a client connecting now is refused at once
  // (and tries another replica) instead of waiting in the backlog.
  close(listen_fd_);
}

void ConnectionListener::Run() {
  bool backing_off = false;
  while (!stopping_.load()) {
    // While backing off the listening socket is not watched: its queue
    // waits in the kernel until a descriptor is free to refuse it with.
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    const int ready = poll(fds, backing_off ? 1 : 2,
                           backing_off ? kBackOffMs : kSweepEveryMs);
    if (stopping_.load()) break;
    if (spare_fd_ < 0) spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
    backing_off = false;
    if (ready > 0 && (fds[1].revents & POLLIN) != 0)
      backing_off = !AcceptQueued();
    if (absl::Now() - swept_ >= absl::Milliseconds(kSweepEveryMs)) Sweep();
  }
}

bool ConnectionListener::AcceptQueued() {
  while (!stopping_.load()) {
    const int fd =
        accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      Admit(fd);
      continue;
    }
    switch (errno) {
      case EAGAIN:
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
        if (errno == EAGAIN) return true;
        continue;
      case EMFILE:
      case ENFILE:
        // Out of descriptors: the spare makes room to take the connection
        // off the queue and close it, so the client hears at once.
        if (spare_fd_ < 0) return false;
        close(spare_fd_);
        spare_fd_ = -1;
        {
          const int refused =
              accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
          const bool drained = refused < 0 && errno == EAGAIN;
          if (refused >= 0) Refuse(refused, "descriptors");
          spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
          // accept4 says EMFILE before it looks at the queue: an empty
          // queue shows only here.
          if (drained) return true;
        }
        continue;
      default:
        if (std::optional<std::string> line = log_.Note(
                "accept", absl::StrCat("accept: ", std::strerror(errno)),
                absl::Now())) {
          LOG(WARNING) << *line;
        }
        return false;
    }
  }
  return true;
}

void ConnectionListener::Admit(int fd) {
  if (TooFewDescriptorsLeft(fd, descriptor_limit_, reserved_)) {
    return Refuse(fd, "descriptors");
  }
  // At the cap, sweeping for closed connections costs one getsockopt each:
  // at most every 100 ms, not for every connection of a flood.
  if (static_cast<int>(open_.size()) >= options_.max_connections &&
      absl::Now() - swept_ >= absl::Milliseconds(100)) {
    Sweep();
  }
  if (static_cast<int>(open_.size()) >= options_.max_connections) {
    return Refuse(fd, "max_connections");
  }
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  if (const uint64_t cookie = Cookie(fd); cookie != 0) open_[fd] = cookie;
  if (metrics_ != nullptr) {
    metrics_->ConnectionAccepted();
    metrics_->ConnectionsOpen(open_.size());
  }
  grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters p;
  p.listener_fd = listen_fd_;
  p.fd = fd;
  acceptor_->HandleNewConnection(&p);  // gRPC owns the descriptor now
}

void ConnectionListener::Refuse(int fd, const char* reason) {
  close(fd);
  if (metrics_ != nullptr) metrics_->ConnectionRefused(reason);
  if (std::optional<std::string> line = log_.Note(
          reason,
          absl::StrCat(
              "refusing connections: ",
              std::string(reason) == "descriptors"
                  ? absl::StrCat("fewer than ", reserved_, " of ",
                                 descriptor_limit_, " file descriptors left")
                  : absl::StrCat(options_.max_connections,
                                 " connections open (--max_connections)")),
          absl::Now())) {
    LOG(WARNING) << *line;
  }
}

void ConnectionListener::Sweep() {
  swept_ = absl::Now();
  for (auto it = open_.begin(); it != open_.end();) {
    const uint64_t cookie = Cookie(it->first);
    if (cookie == 0 || cookie != it->second) {
      open_.erase(it++);
    } else {
      ++it;
    }
  }
  if (metrics_ != nullptr) metrics_->ConnectionsOpen(open_.size());
}

}  // namespace plaudit
