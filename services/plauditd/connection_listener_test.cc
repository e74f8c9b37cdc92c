// The listener at the real descriptor limit (EMFILE): connections are taken
// off the queue and closed, and accepting resumes once descriptors free up.
#include "services/plauditd/connection_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace plaudit {
namespace {

// Stands in for gRPC: keeps every connection handed over.
class HoldingAcceptor final
    : public grpc::experimental::ExternalConnectionAcceptor {
 public:
  void HandleNewConnection(NewConnectionParameters* p) override {
    absl::MutexLock lock(&mu_);
    fds_.push_back(p->fd);
  }
  int count() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(fds_.size());
  }
  ~HoldingAcceptor() override {
    for (int fd : fds_) close(fd);
  }

 private:
  absl::Mutex mu_;
  std::vector<int> fds_;
};

// One byte from `fd` within 60 s; -1 if none.
int ReadByte(int fd) {
  pollfd p{fd, POLLIN, 0};
  unsigned char byte = 0;
  if (poll(&p, 1, 60'000) != 1 || read(fd, &byte, 1) != 1) return -1;
  return byte;
}

// The client side, in a child process with a descriptor table of its own
// (a copy of the parent's: full, until its limit is raised).
// Only async-signal-safe calls: the parent has threads.
[[noreturn]] void Client(int port, int count, int report, int go,
                         const rlimit& descriptors) {
  setrlimit(RLIMIT_NOFILE, &descriptors);  // the parent's table was full
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fds[64];
  unsigned char closed = 0;
  for (int i = 0; i < count; ++i) {
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fds[i], reinterpret_cast<sockaddr*>(&address),
                sizeof(address)) != 0)
      _exit(1);
  }
  for (int i = 0; i < count; ++i) {  // each closed by the server: EOF or reset
    pollfd p{fds[i], POLLIN, 0};
    char byte;
    if (poll(&p, 1, 30'000) == 1 && read(fds[i], &byte, 1) <= 0) ++closed;
  }
  (void)!write(report, &closed, 1);
  ReadByte(go);  // descriptors are free again
  const int late = socket(AF_INET, SOCK_STREAM, 0);
  const unsigned char connected =
      connect(late, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0;
  (void)!write(report, &connected, 1);
  ReadByte(go);
  _exit(0);
}

TEST(ConnectionListenerTest, AtTheDescriptorLimitItRefusesThenAcceptsAgain) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = 128;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  auto listener =
      ConnectionListener::Listen({"127.0.0.1:0", 10'000, 8}, nullptr);
  ASSERT_TRUE(listener.ok()) << listener.status();
  auto holding = std::make_unique<HoldingAcceptor>();
  HoldingAcceptor* acceptor = holding.get();
  (*listener)->Start(std::move(holding));
  int report[2], go[2];
  ASSERT_EQ(pipe(report), 0);
  ASSERT_EQ(pipe(go), 0);

  // Every descriptor taken, as a leak or a flood would leave it.
  std::vector<int> filler;
  for (int fd; (fd = open("/dev/null", O_RDONLY)) >= 0;) filler.push_back(fd);
  ASSERT_EQ(errno, EMFILE);
  constexpr int kClients = 20;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0)
    Client((*listener)->port(), kClients, report[1], go[0], saved);
  EXPECT_EQ(ReadByte(report[0]), kClients)
      << "refused connections are closed at once";
  EXPECT_EQ(acceptor->count(), 0);

  for (int fd : filler) close(fd);
  const unsigned char one = 1;
  ASSERT_EQ(write(go[1], &one, 1), 1);
  EXPECT_EQ(ReadByte(report[0]), 1);
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (acceptor->count() == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));  // the accept thread's turn
  }
  EXPECT_EQ(acceptor->count(), 1)
      << "accepting resumed once descriptors freed up";

  ASSERT_EQ(write(go[1], &one, 1), 1);
  waitpid(child, nullptr, 0);
  (*listener)->Stop();
  setrlimit(RLIMIT_NOFILE, &saved);
}

TEST(TooFewDescriptorsLeftTest, KeepsTheReserve) {
  EXPECT_FALSE(TooFewDescriptorsLeft(100, 1024, 64));
  EXPECT_FALSE(TooFewDescriptorsLeft(959, 1024, 64));
  EXPECT_TRUE(TooFewDescriptorsLeft(960, 1024, 64));
}

}  // namespace
}  // namespace plaudit
