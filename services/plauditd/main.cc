// plauditd: flags -> ServerOptions, then serve until SIGTERM/SIGINT.
#include <csignal>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "glog/logging.h"
#include "google/protobuf/stubs/logging.h"
#include "services/plauditd/connection_listener.h"
#include "services/plauditd/file_clock.h"
#include "services/plauditd/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "gRPC listen address, host:port");
ABSL_FLAG(std::string, redis, "tcp://127.0.0.1:6379",
          "Redis address: tcp://host:port or unix:///path/to/socket");
ABSL_FLAG(std::string, keys_file, "",
          "API keys file (JSON, from `plauditctl keys new`): the first admin "
          "key; more are created with KeyService");
ABSL_FLAG(bool, insecure_open_mode, false,
          "DEVELOPMENT ONLY: admit every call without a key, as an admin of "
          "--tenant");
ABSL_FLAG(std::string, tenant, "default",
          "The tenant of open mode (with keys, the key names the tenant)");
ABSL_FLAG(std::string, time_zone, "UTC",
          "IANA time zone in which days begin, e.g. Europe/Berlin: the default "
          "of a tenant that set none (TenantService)");
ABSL_FLAG(int, retain_days, 14, "Past day buckets kept (a tenant's default)");
ABSL_FLAG(int, retain_weeks, 10, "Past week buckets kept (a tenant's default)");
ABSL_FLAG(int, retain_months, 13,
          "Past month buckets kept (a tenant's default)");
ABSL_FLAG(int, retain_years, 5, "Past year buckets kept (a tenant's default)");
ABSL_FLAG(absl::Duration, leaderboard_cache, absl::Seconds(1),
          "How long a leaderboard page may be served from memory while this "
          "process writes nothing (writes through other replicas show within "
          "it); 0 = read Redis every time");
ABSL_FLAG(int, privacy_min_active_users, 5,
          "Engagement figures of groups with fewer active users are withheld "
          "(a tenant's default)");
ABSL_FLAG(double, rate_limit, 200,
          "Calls per second per API key in this replica (0: unlimited)");
ABSL_FLAG(double, rate_burst, 400,
          "Calls a key may make at once above the rate");
ABSL_FLAG(int, max_message_bytes, 8 << 20, "Largest request accepted");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS certificate chain (PEM); empty: plaintext");
ABSL_FLAG(std::string, tls_key, "", "TLS private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "CA (PEM) whose certificates clients must show (mutual TLS)");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:8080",
          "HTTP/JSON API host:port (port 0: any; empty: off)");
ABSL_FLAG(std::vector<std::string>, http_cors_origins, {},
          "Origins (https://portal.example.com) whose pages may call the HTTP "
          "API from a browser; comma separated; none by default");
ABSL_FLAG(std::string, http_port_file, "",
          "Write the bound HTTP port here (for --http_listen=...:0)");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9464",
          "Prometheus /metrics address, host:port (empty: off)");
ABSL_FLAG(std::string, build_revision, "unknown",
          "Source revision, shown in plaudit_build_info");
ABSL_FLAG(std::string, rules_file, "",
          "Rules JSON applied at start (create or update to match)");
ABSL_FLAG(
    std::string, port_file, "",
    "Once serving, write the bound port here (useful with --listen=...:0)");
ABSL_FLAG(int, redis_connections, 4,
          "Redis connections, each carrying pipelined commands of many calls");
ABSL_FLAG(absl::Duration, redis_timeout, absl::Seconds(2),
          "Timeout of one Redis round trip");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "How long in-flight calls may take to finish at shutdown");
ABSL_FLAG(int, max_connections, 10'000,
          "Client connections open at once; more are closed as they arrive");
ABSL_FLAG(int, reserved_descriptors, 64,
          "File descriptors never given to clients (Redis, /metrics, logs)");
ABSL_FLAG(int, max_streams_per_connection, 100,
          "Calls (HTTP/2 streams) one connection may have open at once");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Minutes(2),
          "A connection with no call for this long is closed (0: never)");
ABSL_FLAG(absl::Duration, handshake_timeout, absl::Seconds(10),
          "A connection must finish its TLS / HTTP/2 handshake within this");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Hours(1),
          "Connections are asked to go away after this long (0: never)");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Minutes(10),
          "Time calls still running get after max_connection_age");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Minutes(1),
          "A silent peer is pinged after this long");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(20),
          "A ping unanswered this long closes the connection");
ABSL_FLAG(int, max_threads, 1000,
          "Threads for blocking calls; beyond, calls are refused "
          "(RESOURCE_EXHAUSTED)");
ABSL_FLAG(int64_t, transport_memory, int64_t{64} << 20,
          "Bytes gRPC's transports may buffer in all");
ABSL_FLAG(int64_t, max_inflight_bytes, int64_t{16} << 20,
          "Bytes of requests held at once: beyond, calls are refused "
          "(RESOURCE_EXHAUSTED, SERVER_BUSY) and stream chunks wait");

ABSL_FLAG(absl::Duration, notification_retention, absl::Hours(24 * 7),
          "How long the outbox keeps notifications (watch streams resume "
          "within it); longer than --webhook_retry_for");
ABSL_FLAG(bool, webhook_allow_private, false,
          "Webhook endpoints may be private or loopback addresses (off: "
          "refused, against server-side request forgery)");
ABSL_FLAG(absl::Duration, webhook_retry_for, absl::Hours(24),
          "A notification an endpoint has not taken within this is a dead "
          "letter");
ABSL_FLAG(absl::Duration, webhook_timeout, absl::Seconds(10),
          "Time for one webhook delivery attempt");
ABSL_FLAG(bool, deliver_webhooks, true,
          "This replica delivers webhooks (any number of replicas may: each "
          "endpoint gets each notification once)");
ABSL_FLAG(std::string, clock_file, "",
          "For tests only: read the time from this file (unix ms) instead of "
          "the system clock");

namespace {

void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  if (absl::StrContains(message, "invalid UTF-8 data when parsing")) return;
  const int severity = level >= google::protobuf::LOGLEVEL_ERROR
                           ? google::GLOG_ERROR
                           : google::GLOG_WARNING;
  google::LogMessage(file, line, severity).stream() << message;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "plauditd: the Plaudit engagement and rewards service");
  absl::ParseCommandLine(argc, argv);
  // Logs go to stderr (one line per failed call; none per successful one).
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  // Debian's Abseil is built with deadlock detection on: it would keep a
  // lock graph for every gRPC and Redis mutex on every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Every connection costs a descriptor: take all the system allows.
  const int64_t descriptors = plaudit::RaiseDescriptorLimit();
  // A client sending invalid UTF-8 gets INVALID_ARGUMENT naming the field;
  // protobuf's own ERROR line per such request would flood the log.
  google::protobuf::SetLogHandler(&ProtobufLog);

  // Block the stop signals in every thread (gRPC's inherit the mask) and
  // wait for them here, so shutdown runs in ordinary code, not a handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  plaudit::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.redis.address = absl::GetFlag(FLAGS_redis);
  options.redis.timeout = absl::GetFlag(FLAGS_redis_timeout);
  options.redis.connections = absl::GetFlag(FLAGS_redis_connections);
  options.tenant = absl::GetFlag(FLAGS_tenant);
  options.keys_file = absl::GetFlag(FLAGS_keys_file);
  options.open_mode = absl::GetFlag(FLAGS_insecure_open_mode);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  if (options.open_mode) {
    std::cerr << "plauditd: WARNING: open mode, no API keys checked: for "
                 "local development only\n";
  } else if (options.tls_cert.empty() &&
             !absl::StartsWith(options.listen_address, "127.0.0.1:") &&
             !absl::StartsWith(options.listen_address, "localhost:") &&
             !absl::StartsWith(options.listen_address, "[::1]:")) {
    std::cerr << "plauditd: WARNING: API keys travel in clear: serve TLS "
                 "(--tls_cert, --tls_key) or terminate TLS in front\n";
  }
  options.time_zone = absl::GetFlag(FLAGS_time_zone);
  options.rules_file = absl::GetFlag(FLAGS_rules_file);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.http_cors_origins = absl::GetFlag(FLAGS_http_cors_origins);
  options.leaderboard_cache = absl::GetFlag(FLAGS_leaderboard_cache);
  options.rate_limit = {absl::GetFlag(FLAGS_rate_limit),
                        absl::GetFlag(FLAGS_rate_burst)};
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.build.revision = absl::GetFlag(FLAGS_build_revision);
  options.retention.days = absl::GetFlag(FLAGS_retain_days);
  options.retention.weeks = absl::GetFlag(FLAGS_retain_weeks);
  options.retention.months = absl::GetFlag(FLAGS_retain_months);
  options.retention.years = absl::GetFlag(FLAGS_retain_years);
  options.privacy_min_active_users =
      absl::GetFlag(FLAGS_privacy_min_active_users);
  plaudit::ConnectionLimits& limits = options.limits;
  limits.max_connections = absl::GetFlag(FLAGS_max_connections);
  limits.reserved_descriptors = absl::GetFlag(FLAGS_reserved_descriptors);
  limits.max_streams_per_connection =
      absl::GetFlag(FLAGS_max_streams_per_connection);
  limits.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  limits.handshake_timeout = absl::GetFlag(FLAGS_handshake_timeout);
  limits.max_age = absl::GetFlag(FLAGS_max_connection_age);
  limits.max_age_grace = absl::GetFlag(FLAGS_max_connection_age_grace);
  limits.keepalive_time = absl::GetFlag(FLAGS_keepalive_time);
  limits.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  limits.transport_memory = absl::GetFlag(FLAGS_transport_memory);
  limits.max_threads = absl::GetFlag(FLAGS_max_threads);
  limits.max_inflight_bytes = absl::GetFlag(FLAGS_max_inflight_bytes);
  plaudit::NotificationOptions& notify = options.notifications;
  notify.retention = absl::GetFlag(FLAGS_notification_retention);
  notify.webhook_allow_private = absl::GetFlag(FLAGS_webhook_allow_private);
  notify.webhook_retry_for = absl::GetFlag(FLAGS_webhook_retry_for);
  notify.webhook_timeout = absl::GetFlag(FLAGS_webhook_timeout);
  notify.deliver_webhooks = absl::GetFlag(FLAGS_deliver_webhooks);
  if (!absl::GetFlag(FLAGS_clock_file).empty()) {
    options.clock = plaudit::FileClock(absl::GetFlag(FLAGS_clock_file));
  }

  absl::StatusOr<std::unique_ptr<plaudit::PlauditServer>> server =
      plaudit::PlauditServer::Start(options);
  if (!server.ok()) {
    std::cerr << "plauditd: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << "plauditd: serving on port " << (*server)->port()
            << (options.open_mode ? ", OPEN MODE for tenant " + options.tenant
                                  : ", API keys required")
            << ", Redis " << options.redis.address << ", up to "
            << std::min<int64_t>(limits.max_connections,
                                 descriptors - limits.reserved_descriptors)
            << " connections (" << descriptors << " file descriptors)";
  if ((*server)->http_port() != 0) {
    std::cout << ", HTTP/JSON on port " << (*server)->http_port();
  }
  if ((*server)->metrics_port() != 0) {
    std::cout << ", metrics on port " << (*server)->metrics_port();
  }
  std::cout << std::endl;

  // Written whole under another name, then renamed: readers never see half.
  auto write_port = [](const std::string& path, int port) {
    if (path.empty()) return;
    const std::string partial = path + ".partial";
    std::ofstream(partial) << port << "\n";
    std::rename(partial.c_str(), path.c_str());
  };
  write_port(absl::GetFlag(FLAGS_port_file), (*server)->port());
  write_port(absl::GetFlag(FLAGS_http_port_file), (*server)->http_port());

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cout << "plauditd: signal " << signal << ", finishing in-flight calls"
            << std::endl;
  (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  (*server)->Wait();
  std::cout << "plauditd: stopped" << std::endl;
  return 0;
}
