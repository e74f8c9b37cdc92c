#include "services/plauditd/server.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "services/accounts/account_service.h"
#include "services/audit/audit_service.h"
#include "services/auth/key_guard.h"
#include "services/auth/key_service.h"
#include "services/analytics/analytics_service.h"
#include "grpcpp/security/server_credentials.h"
#include "services/common/json_file.h"
#include "services/common/period.h"
#include "services/common/validation.h"
#include "services/events/event_service.h"
#include "prometheus/exposer.h"
#include "services/leaderboards/leaderboard_service.h"
#include "services/metrics/grpc_interceptor.h"
#include "services/rewards/reward_service.h"
#include "services/rules/rule_service.h"
#include "services/rules/rules_file.h"
#include "services/plauditd/tenants.h"
#include "services/rpc/request_budget.h"
#include "services/rpc/rpc_service.h"
#include "services/users/user_service.h"

namespace plaudit {

// Open mode (until API keys are configured): every call is an admin call
// for the server's one tenant. For local development only.
class OpenGuard final : public CallGuard {
 public:
  explicit OpenGuard(std::string tenant) : tenant_(std::move(tenant)) {}
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase&,
                               absl::string_view) const override {
    return Caller{"dev", tenant_, Role::kAdmin};
  }

 private:
  const std::string tenant_;
};

struct PlauditServer::Parts {
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<BoardCalendar> calendar;
  std::unique_ptr<Tenants> tenants;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<CallGuard> guard;
  std::unique_ptr<RequestBudget> budget;
  std::vector<std::unique_ptr<RpcService>> services;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

namespace {

// Plaintext, TLS, or mutual TLS, as the options say.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options) {
  if (options.tls_cert.empty() && options.tls_key.empty()) {
    if (!options.tls_client_ca.empty()) {
      return absl::InvalidArgumentError("tls_client_ca: needs tls_cert and tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadTextFile(options.tls_cert);
  if (!cert.ok()) return absl::InvalidArgumentError(absl::StrCat("tls_cert: ", cert.status().message()));
  absl::StatusOr<std::string> key = ReadTextFile(options.tls_key);
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("tls_key: ", key.status().message()));
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!options.tls_client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadTextFile(options.tls_client_ca);
    if (!ca.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tls_client_ca: ", ca.status().message()));
    }
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// Creates or updates rules to match the file; rules not in it are kept.
// Changes are audited as made by the key "rules-file".
absl::Status ApplyRulesFile(const std::string& path, const std::string& tenant,
                            RuleStore& store, AuditLog& audit) {
  absl::StatusOr<v1::RuleSet> rules = ReadRulesFile(path);
  if (!rules.ok()) return rules.status();
  const std::string changed_by = absl::StrCat("rules file ", path);
  const Caller file{"rules-file", tenant, Role::kAdmin};
  for (const v1::Rule& rule : rules->rules()) {
    absl::StatusOr<v1::Rule> current = store.Get(rule.rule_id());
    if (absl::IsNotFound(current.status())) {
      const absl::StatusOr<v1::Rule> created = store.Create(rule, changed_by);
      // A replica starting at the same moment may have created it first.
      if (!absl::IsAlreadyExists(created.status())) {
        if (!created.ok()) return created.status();
        audit.Record(file, "RULE_CREATED", rule.rule_id(), nullptr, &*created);
        continue;
      }
      current = store.Get(rule.rule_id());
    }
    if (!current.ok()) return current.status();
    if (!RulesDiffer(*current, rule)) continue;
    auto validate = [](const v1::Rule&) { return absl::OkStatus(); };
    const absl::StatusOr<RuleChange> change =
        store.Update(rule, {}, validate, changed_by);
    if (!change.ok()) return change.status();
    audit.Record(file, "RULE_UPDATED", rule.rule_id(), &change->before,
                 &change->after);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PlauditServer>> PlauditServer::Start(
    ServerOptions options) {
  if (auto s = ValidateSlug("tenant", options.tenant); !s.ok()) return s;
  const Retention& retention = options.retention;
  if (retention.days < 0 || retention.weeks < 0 || retention.months < 0 ||
      retention.years < 0) {
    return absl::InvalidArgumentError("retention: must not be negative");
  }
  absl::StatusOr<absl::TimeZone> zone =
      LoadTenantTimeZone("time_zone", options.time_zone);
  if (!zone.ok()) return zone.status();
  auto parts = std::make_unique<Parts>();
  parts->metrics = std::make_unique<Metrics>(options.build);
  options.redis.observer = parts->metrics.get();
  absl::StatusOr<std::unique_ptr<RedisClient>> redis =
      RedisClient::Create(options.redis);
  if (!redis.ok()) return redis.status();
  parts->redis = *std::move(redis);
  parts->calendar = std::make_unique<BoardCalendar>(*zone, retention);
  parts->tenants = std::make_unique<Tenants>(
      parts->redis.get(), parts->calendar.get(), options.clock,
      options.leaderboard_cache);
  v1::KeyFile key_file;
  if (!options.keys_file.empty()) {
    absl::StatusOr<v1::KeyFile> read = ReadKeyFile(options.keys_file);
    if (!read.ok()) return read.status();
    key_file = *std::move(read);
  }
  parts->keys = std::make_unique<KeyStore>(parts->redis.get(), key_file);
  if (options.open_mode) {
    parts->guard = std::make_unique<OpenGuard>(options.tenant);
  } else {
    KeyGuardOptions guard;
    guard.cache_for = options.key_cache_for;
    guard.rate_limit = options.rate_limit;
    guard.failure_limit = options.auth_failure_limit;
    parts->guard = std::make_unique<KeyGuard>(parts->keys.get(), options.clock,
                                              guard, parts->metrics.get());
  }
  parts->audit = std::make_unique<AuditLog>(parts->redis.get(), options.clock);
  parts->budget = std::make_unique<RequestBudget>(
      options.max_inflight_bytes,
      [metrics = parts->metrics.get()](int64_t bytes) {
        metrics->RequestBytesInFlight(bytes);
      });
  AuditLog* audit = parts->audit.get();
  Metrics* metrics = parts->metrics.get();
  Tenants& t = *parts->tenants;
  const CallGate gate{parts->guard.get(), parts->budget.get(), metrics};
  auto& services = parts->services;
  services.push_back(std::make_unique<RuleService>(
      t.Of(&Tenant::rules), t.Of(&Tenant::rule_cache), gate, audit));
  services.push_back(std::make_unique<EventService>(t.Of(&Tenant::recorder),
                                                    gate, metrics, options.clock));
  services.push_back(
      std::make_unique<AccountService>(t.Of(&Tenant::accounts), gate, audit));
  services.push_back(std::make_unique<UserService>(t.Of(&Tenant::users), gate));
  services.push_back(std::make_unique<LeaderboardService>(
      t.Of(&Tenant::boards), gate, audit, metrics, parts->calendar.get(),
      options.clock));
  services.push_back(std::make_unique<RewardService>(
      t.Of(&Tenant::catalog), t.Of(&Tenant::redemptions), gate, audit, metrics));
  services.push_back(
      std::make_unique<KeyService>(parts->keys.get(), gate, audit, options.clock));
  services.push_back(std::make_unique<AuditService>(audit, gate));
  services.push_back(std::make_unique<AnalyticsService>(
      t.Of(&Tenant::engagement), gate, parts->calendar.get(),
      options.privacy_min_active_users, options.clock));
  for (const auto& service : services) {
    if (absl::Status complete = service->Complete(); !complete.ok()) return complete;
  }

  if (!options.rules_file.empty()) {
    if (auto s = ApplyRulesFile(options.rules_file, options.tenant,
                                t.Get(options.tenant).rules, *audit);
        !s.ok()) {
      return s;
    }
  }

  if (!options.metrics_listen.empty()) {
    // civetweb throws when it cannot listen: the one exception we catch.
    try {
      parts->exposer =
          std::make_unique<prometheus::Exposer>(options.metrics_listen);
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat(
          "metrics_listen: cannot listen on ", options.metrics_listen, ": ",
          e.what()));
    }
    parts->exposer->RegisterCollectable(parts->metrics->registry());
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      Credentials(options);
  if (!credentials.ok()) return credentials.status();
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<CallMetricsFactory>(parts->metrics.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.AddListeningPort(options.listen_address, *credentials, &parts->port);
  for (const auto& service : parts->services) {
    builder.RegisterService(service.get());
  }
  parts->server = builder.BuildAndStart();
  if (parts->server == nullptr || parts->port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  return std::unique_ptr<PlauditServer>(new PlauditServer(std::move(parts)));
}

PlauditServer::PlauditServer(std::unique_ptr<Parts> parts)
    : parts_(std::move(parts)) {}

PlauditServer::~PlauditServer() {
  Shutdown(absl::ZeroDuration());
  // Redis callbacks still running (a group commit's next flight, a
  // stream's last chunk) call into the tenants: stop the lanes first.
  parts_->redis.reset();
}

int PlauditServer::port() const { return parts_->port; }

int PlauditServer::metrics_port() const {
  if (parts_->exposer == nullptr) return 0;
  const std::vector<int> ports = parts_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void PlauditServer::Shutdown(absl::Duration grace) {
  parts_->server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

void PlauditServer::Wait() { parts_->server->Wait(); }

}  // namespace plaudit
