// plauditd as a library: wires Redis, the stores and the gRPC services into
// a running server. main.cc only turns flags into ServerOptions; tests start
// the same server in-process on port 0.
#ifndef PLAUDIT_SERVICES_PLAUDITD_SERVER_H_
#define PLAUDIT_SERVICES_PLAUDITD_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/auth/rate_limiter.h"
#include "services/common/clock.h"
#include "services/common/period.h"
#include "services/metrics/metrics.h"
#include "services/store/redis_client.h"

namespace plaudit {

// What clients, however careless or hostile, can take of one plauditd.
struct ConnectionLimits {
  // Client connections open at once (more are closed as they arrive), and
  // file descriptors never given to clients (Redis, /metrics, logs).
  int max_connections = 10'000;
  int reserved_descriptors = 64;
  // HTTP/2 streams (calls) one connection may have open at once.
  int max_streams_per_connection = 100;
  // A connection with no call for this long is closed (GOAWAY); one that
  // does not finish its handshake (TLS, HTTP/2 preface) within
  // handshake_timeout is dropped.
  absl::Duration idle_timeout = absl::Minutes(2);
  absl::Duration handshake_timeout = absl::Seconds(10);
  // Connections are asked to go away after max_age (spreading clients over
  // replicas); calls still running get `grace`, then end UNAVAILABLE.
  // Zero: no limit.
  absl::Duration max_age = absl::Hours(1);
  absl::Duration max_age_grace = absl::Minutes(10);
  // A peer silent this long is pinged; no answer within the timeout and
  // the connection is closed (a vanished client frees its streams).
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Threads for blocking handlers: beyond, gRPC refuses calls with
  // RESOURCE_EXHAUSTED (a Redis stall must not grow threads without end).
  int max_threads = 1000;
  // Bytes gRPC's transports may buffer in all (reads beyond wait).
  int64_t transport_memory = int64_t{64} << 20;
  // Bytes of requests (as received) held at once: beyond, unary calls are
  // refused with RESOURCE_EXHAUSTED (SERVER_BUSY) and stream chunks wait.
  int64_t max_inflight_bytes = 16 << 20;
};

// Notifications: how long the outbox keeps them, how webhooks are sent.
struct NotificationOptions {
  // The outbox's age bound (watch cursors older are refused; webhooks
  // retrying stay until their retry period ends, which must be shorter).
  absl::Duration retention = absl::Hours(24 * 7);
  // Webhook endpoints may point at private and loopback addresses.
  bool webhook_allow_private = false;
  // A notification not delivered within this is a dead letter.
  absl::Duration webhook_retry_for = absl::Hours(24);
  absl::Duration webhook_first_retry = absl::Seconds(5);  // then doubled
  absl::Duration webhook_timeout = absl::Seconds(10);     // per attempt
  // An endpoint's deliveries are one replica's for this long, renewed;
  // another takes over when it is not.
  absl::Duration webhook_lease = absl::Seconds(30);
  // This replica delivers webhooks (off: only others do).
  bool deliver_webhooks = true;
  // Real time between trims of the outboxes (by the injected clock's age),
  // and between looks for the managers' digests due.
  absl::Duration trim_every = absl::Minutes(1);
  absl::Duration digest_every = absl::Minutes(1);
};

struct ServerOptions {
  // host:port; port 0 picks a free one (see PlauditServer::port()).
  std::string listen_address = "127.0.0.1:50051";
  RedisOptions redis;
  // Callers authenticate with API keys (keys file and KeyService); the key
  // names the tenant and the role. Open mode (development only) admits every
  // call as an admin of `tenant`.
  bool open_mode = false;
  std::string keys_file;
  // How long a verified key is trusted before it is checked again (a
  // revocation takes at most this long).
  absl::Duration key_cache_for = absl::Seconds(2);
  // Calls per second per API key in this process (0 = unlimited) and the
  // burst allowed above it.
  RateLimit rate_limit{200, 400};
  // Failed authentications per second per peer address (and per key id),
  // with the burst allowed: beyond, attempts are refused without a lookup.
  RateLimit auth_failure_limit{5, 20};
  // Largest request accepted (a batch of 1,000 events or 10,000 users fits).
  int max_message_bytes = 8 << 20;
  // Connections, streams, idle and age limits, memory bounds.
  ConnectionLimits limits;
  std::string tenant = "default";
  // IANA zone in which days (daily limits, leaderboard buckets) begin.
  std::string time_zone = "UTC";
  // How many past leaderboard buckets stay readable, per period.
  Retention retention;
  // A leaderboard page read from Redis is served again from memory while
  // this process has written nothing since, for at most this long: writes
  // made through other replicas show within it. 0 = read every time.
  absl::Duration leaderboard_cache = absl::Seconds(1);
  // Engagement figures of groups with fewer active users are withheld.
  int privacy_min_active_users = 5;
  // Rules file applied at start (create or update to match); empty = none.
  std::string rules_file;
  // TLS: PEM files; empty = plaintext. With a client CA, clients must show a
  // certificate it signed (mutual TLS).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // HTTP/JSON API (every RPC with a google.api.http route, /healthz,
  // /readyz) on host:port (port 0: any); empty = off. It shares the gRPC
  // limits: max_connections, idle_timeout, handshake_timeout (for the
  // request head), max_message_bytes (for the body).
  std::string http_listen;
  // Origins allowed to call the HTTP API from browsers (CORS); none = no
  // cross-origin calls.
  std::vector<std::string> http_cors_origins;
  // Prometheus /metrics on its own host:port (port 0: any); empty = off.
  std::string metrics_listen;
  NotificationOptions notifications;
  BuildInfo build{"0.1.0", "unknown"};
  Clock clock = SystemClock();
};

class PlauditServer {
 public:
  // Validates options, applies the rules file, starts serving.
  static absl::StatusOr<std::unique_ptr<PlauditServer>> Start(
      ServerOptions options);
  ~PlauditServer();

  int port() const;
  // The HTTP port (0 when HTTP is off).
  int http_port() const;
  // The /metrics port (0 when metrics are off).
  int metrics_port() const;
  // Stops accepting calls and lets in-flight ones finish within `grace`.
  void Shutdown(absl::Duration grace);
  void Wait();

 private:
  struct Parts;
  explicit PlauditServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_PLAUDITD_SERVER_H_
