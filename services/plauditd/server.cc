#include "services/plauditd/server.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "openssl/rand.h"
#include "prometheus/exposer.h"
#include "services/accounts/account_service.h"
#include "services/analytics/analytics_service.h"
#include "services/audit/audit_service.h"
#include "services/auth/key_file.h"
#include "services/auth/key_guard.h"
#include "services/auth/key_service.h"
#include "services/common/change_plan.h"
#include "services/common/json_file.h"
#include "services/common/period.h"
#include "services/common/validation.h"
#include "services/events/event_service.h"
#include "services/http/gateway.h"
#include "services/http/route_table.h"
#include "services/leaderboards/leaderboard_service.h"
#include "services/metrics/grpc_interceptor.h"
#include "services/notifications/digest_scheduler.h"
#include "services/notifications/notification_service.h"
#include "services/notifications/outbox_feed.h"
#include "services/notifications/outbox_trimmer.h"
#include "services/notifications/webhook_dispatcher.h"
#include "services/notifications/webhook_service.h"
#include "services/plauditd/connection_listener.h"
#include "services/plauditd/tenants.h"
#include "services/rewards/reward_service.h"
#include "services/rpc/request_budget.h"
#include "services/rpc/rpc_service.h"
#include "services/rules/rule_service.h"
#include "services/rules/rules_file.h"
#include "services/scim/scim_handler.h"
#include "services/tenants/tenant_config.h"
#include "services/tenants/tenant_service.h"
#include "services/users/user_service.h"

namespace plaudit {

// Open mode (until API keys are configured): every call is an admin call
// for the server's one tenant. For local development only.
class OpenGuard final : public CallGuard {
 public:
  explicit OpenGuard(std::string tenant) : tenant_(std::move(tenant)) {}
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase&,
                               absl::string_view) const override {
    return Caller{"dev", tenant_, Role::kOperator};  // local development
  }

 private:
  const std::string tenant_;
};

// Webhook deliveries as metrics.
class DeliveryMetrics final : public DeliveryObserver {
 public:
  explicit DeliveryMetrics(Metrics* metrics) : metrics_(metrics) {}
  void OnDelivery(const std::string& tenant, const std::string& webhook,
                  const std::string& outcome, absl::Duration lag) override {
    metrics_->WebhookDelivery(absl::StrCat(tenant, "/", webhook), outcome, lag);
  }

 private:
  Metrics* const metrics_;
};

struct PlauditServer::Parts {
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<Tenants> tenants;
  std::unique_ptr<OutboxFeed> feed;  // its blocking reads on a client of its own
  // Destroyed in reverse: the dispatcher before what it uses.
  std::unique_ptr<DeliveryMetrics> delivery_metrics;
  std::unique_ptr<RedisClient> dispatcher_redis;
  std::unique_ptr<WebhookDispatcher> dispatcher;  // after the feed: stops first
  std::unique_ptr<OutboxTrimmer> trimmer;
  std::unique_ptr<DigestScheduler> digests;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<CallGuard> guard;
  std::unique_ptr<RequestBudget> budget;
  std::vector<std::unique_ptr<RpcService>> services;
  std::unique_ptr<ConnectionListener> listener;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<HttpServer> http;  // after the gateway: stops first
  int port = 0;
};

namespace {

// Plaintext, TLS, or mutual TLS, as the options say.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options) {
  if (options.tls_cert.empty() && options.tls_key.empty()) {
    if (!options.tls_client_ca.empty()) {
      return absl::InvalidArgumentError(
          "tls_client_ca: needs tls_cert and tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadTextFile(options.tls_cert);
  if (!cert.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls_cert: ", cert.status().message()));
  }
  absl::StatusOr<std::string> key = ReadTextFile(options.tls_key);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls_key: ", key.status().message()));
  }
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

// Writes one rule of the rules file: creates it, or updates it where it
// differs. Another replica starting at the same moment may create or change
// it in between: a create that finds it there compares again, and so does
// an update that finds it gone.
absl::Status PutFileRule(const v1::Rule& rule, const Caller& file,
                         const std::string& changed_by, RuleStore& store,
                         AuditLog& audit) {
  const auto accept_any = [](const v1::Rule&) { return absl::OkStatus(); };
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const absl::StatusOr<v1::Rule> current = store.Get(rule.rule_id());
    if (absl::IsNotFound(current.status())) {
      const absl::StatusOr<v1::Rule> created = store.Create(rule, changed_by);
      last = created.status();
      if (absl::IsAlreadyExists(last)) continue;
      if (!last.ok()) return last;
      audit.Record(file, "RULE_CREATED", rule.rule_id(), nullptr, &*created);
      return absl::OkStatus();
    }
    if (!current.ok()) return current.status();
    if (!RulesDiffer(*current, rule)) return absl::OkStatus();
    const absl::StatusOr<RuleChange> change =
        store.Update(rule, {}, accept_any, changed_by);
    last = change.status();
    if (absl::IsNotFound(last)) continue;
    if (!last.ok()) return last;
    audit.Record(file, "RULE_UPDATED", rule.rule_id(), &change->before,
                 &change->after);
    return absl::OkStatus();
  }
  return last;
}

// Creates and updates rules to match the file (rules it does not name are
// kept), each change audited as made by the key "rules-file".
absl::Status ApplyRulesFile(const std::string& path, const std::string& tenant,
                            RuleStore& store, AuditLog& audit) {
  absl::StatusOr<v1::RuleSet> rules = ReadRulesFile(path);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<RuleSnapshot> snapshot = store.Snapshot();
  if (!snapshot.ok()) return snapshot.status();
  const ChangePlan<v1::Rule> plan = PlanChanges<v1::Rule>(
      snapshot->rules, rules->rules(),
      [](const v1::Rule& r) { return r.rule_id(); }, RulesDiffer);
  const std::string changed_by = absl::StrCat("rules file ", path);
  const Caller file{"rules-file", tenant, Role::kAdmin};
  for (const auto* changes : {&plan.create, &plan.update}) {
    for (const v1::Rule& rule : *changes) {
      if (auto s = PutFileRule(rule, file, changed_by, store, audit); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

int Millis(absl::Duration d) {
  return static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(d), INT32_MAX));
}

// Connection, stream and memory limits as gRPC's channel arguments.
void ApplyLimits(const ConnectionLimits& limits, grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             limits.max_streams_per_connection);
  if (limits.idle_timeout > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                               Millis(limits.idle_timeout));
  }
  if (limits.max_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               Millis(limits.max_age));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               Millis(limits.max_age_grace));
  }
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             Millis(limits.handshake_timeout));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             Millis(limits.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             Millis(limits.keepalive_timeout));
  // Clients may keep idle connections alive with pings every 10 s or more;
  // more often is abuse (a GOAWAY after two strikes).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  // Fixed 64 KiB stream windows: a stream nobody reads holds at most that
  // (bandwidth-delay probing would grow windows to megabytes each).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
  grpc::ResourceQuota quota("plauditd");
  quota.Resize(static_cast<size_t>(limits.transport_memory));
  quota.SetMaxThreads(limits.max_threads);
  builder.SetResourceQuota(quota);
}

// A secret of this process by which the key guard knows the gateway's
// in-process calls (and believes the HTTP caller's address they carry).
std::string GatewayToken() {
  unsigned char bytes[24];
  // Without randomness no token: forwarded addresses are then never
  // believed (throttling sees the in-process peer), nothing worse.
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return "";
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

// The HTTP/JSON gateway: routes from the registered services' protos,
// calls through the server's own in-process channel.
absl::StatusOr<std::unique_ptr<HttpServer>> StartHttp(
    const ServerOptions& options,
    const std::vector<std::unique_ptr<RpcService>>& services,
    RedisClient* redis, grpc::Server& server, const std::string& token,
    std::unique_ptr<Gateway>* gateway_out) {
  std::vector<const google::protobuf::ServiceDescriptor*> descriptors;
  for (const auto& service : services) {
    descriptors.push_back(service->descriptor());
  }
  absl::StatusOr<RouteTable> routes = RouteTable::Build(descriptors);
  if (!routes.ok()) return routes.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  GatewayOptions gateway;
  gateway.token = token;
  gateway.ready = [redis](std::function<void(bool)> done) {
    redis->Send({{"PING"}}, [done = std::move(done)](RedisReplies replies) {
      done(replies.ok() && !replies->empty() && !replies->front().is_error());
    });
  };
  auto scim = std::make_shared<ScimHandler>(server.InProcessChannel(args));
  gateway.scim = [scim](HttpRequest request,
                        std::vector<std::pair<std::string, std::string>> meta,
                        std::function<void(HttpResponse)> respond) {
    scim->Handle(std::move(request), std::move(meta), std::move(respond));
  };
  gateway.cors_origins = options.http_cors_origins;
  *gateway_out = std::make_unique<Gateway>(
      *std::move(routes), server.InProcessChannel(args), std::move(gateway));
  HttpServerOptions http;
  http.listen = options.http_listen;
  http.max_connections = options.limits.max_connections;
  http.max_body_bytes = static_cast<size_t>(options.max_message_bytes);
  http.header_timeout = options.limits.handshake_timeout;
  if (options.limits.idle_timeout > absl::ZeroDuration()) {
    http.idle_timeout = options.limits.idle_timeout;
  }
  return HttpServer::Start(
      http, [gateway = gateway_out->get()](
                HttpRequest request, std::function<void(HttpResponse)> done) {
        gateway->Handle(std::move(request), std::move(done));
      });
}

}  // namespace

absl::StatusOr<std::unique_ptr<PlauditServer>> PlauditServer::Start(
    ServerOptions options) {
  if (auto s = ValidateSlug("tenant", options.tenant); !s.ok()) return s;
  // The flags are every new tenant's settings until it sets its own.
  TenantDefaults defaults;
  defaults.time_zone = options.time_zone;
  defaults.retention = options.retention;
  defaults.privacy_min_active_users = options.privacy_min_active_users;
  if (auto s = ValidateSettings(DefaultSettings(options.tenant, defaults),
                                "defaults");
      !s.ok()) {
    return s;
  }
  if (options.notifications.retention <
      options.notifications.webhook_retry_for + absl::Hours(1)) {
    return absl::InvalidArgumentError(
        "notification_retention: must be at least an hour longer than "
        "webhook_retry_for (the outbox keeps what webhooks still retry)");
  }
  auto parts = std::make_unique<Parts>();
  const std::string gateway_token = GatewayToken();
  parts->metrics = std::make_unique<Metrics>(options.build);
  options.redis.observer = parts->metrics.get();
  absl::StatusOr<std::unique_ptr<RedisClient>> redis =
      RedisClient::Create(options.redis);
  if (!redis.ok()) return redis.status();
  parts->redis = *std::move(redis);
  parts->tenants =
      std::make_unique<Tenants>(parts->redis.get(), std::move(defaults),
                                options.clock, options.leaderboard_cache);
  RedisOptions follower = options.redis;
  follower.connections = 1;  // blocking reads: nothing else may wait behind
  absl::StatusOr<std::unique_ptr<RedisClient>> follower_client =
      RedisClient::Create(follower);
  if (!follower_client.ok()) return follower_client.status();
  parts->feed = std::make_unique<OutboxFeed>(
      *std::move(follower_client), parts->redis.get(), OutboxFeed::Options());
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
    guard.gateway_token = gateway_token;
    guard.tenant_rate_limit =
        [tenants = parts->tenants.get()](
            const std::string& tenant) -> std::optional<RateLimit> {
      const v1::KeyRateLimit& own =
          tenants->Get(tenant).config.Config()->settings.rate_limit();
      if (own.per_second() <= 0) return std::nullopt;
      return RateLimit{own.per_second(), own.burst()};
    };
    parts->guard = std::make_unique<KeyGuard>(parts->keys.get(), options.clock,
                                              guard, parts->metrics.get());
  }
  parts->audit = std::make_unique<AuditLog>(parts->redis.get(), options.clock);
  parts->budget = std::make_unique<RequestBudget>(
      options.limits.max_inflight_bytes,
      [metrics = parts->metrics.get()](int64_t bytes, int64_t peak) {
        metrics->RequestBytesInFlight(bytes, peak);
      });
  AuditLog* audit = parts->audit.get();
  Metrics* metrics = parts->metrics.get();
  Tenants& t = *parts->tenants;
  const CallGate gate{parts->guard.get(), parts->budget.get(), metrics};
  auto& services = parts->services;
  services.push_back(std::make_unique<RuleService>(
      t.Of(&Tenant::rules), t.Of(&Tenant::rule_cache), gate, audit));
  services.push_back(std::make_unique<EventService>(
      t.Of(&Tenant::recorder), gate, metrics, options.clock));
  services.push_back(
      std::make_unique<AccountService>(t.Of(&Tenant::accounts), gate, audit));
  services.push_back(std::make_unique<UserService>(
      t.Of(&Tenant::users), t.Of(&Tenant::config), gate, audit));
  services.push_back(std::make_unique<LeaderboardService>(
      t.Of(&Tenant::boards), gate, audit, metrics, t.Of(&Tenant::config),
      options.clock));
  services.push_back(std::make_unique<RewardService>(t.Of(&Tenant::catalog),
                                                     t.Of(&Tenant::redemptions),
                                                     gate, audit, metrics));
  services.push_back(std::make_unique<KeyService>(parts->keys.get(), gate,
                                                  audit, options.clock));
  services.push_back(std::make_unique<AuditService>(audit, gate));
  services.push_back(std::make_unique<AnalyticsService>(
      t.Of(&Tenant::engagement), gate, t.Of(&Tenant::config),
      [&t](const std::string& tenant) {
        return t.Get(tenant)
            .config.Config()
            ->settings.privacy_min_active_users();
      },
      options.clock));
  services.push_back(std::make_unique<TenantService>(
      t.Of(&Tenant::settings), t.Of(&Tenant::config), parts->redis.get(),
      parts->keys.get(), gate, audit, options.clock));
  services.push_back(std::make_unique<NotificationService>(
      t.Of(&Tenant::inbox), parts->feed.get(), parts->redis.get(), gate));
  const NotificationOptions& notify = options.notifications;
  services.push_back(std::make_unique<WebhookService>(
      t.Of(&Tenant::webhooks), gate, audit, notify.webhook_allow_private));
  for (const auto& service : services) {
    if (absl::Status complete = service->Complete(); !complete.ok()) {
      return complete;
    }
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
      return absl::UnavailableError(
          absl::StrCat("metrics_listen: cannot listen on ",
                       options.metrics_listen, ": ", e.what()));
    }
    parts->exposer->RegisterCollectable(parts->metrics->registry());
  }

  OutboxTrimmerOptions trim;
  trim.retention = notify.retention;
  trim.every = notify.trim_every;
  trim.length = [metrics](const std::string& tenant, int64_t entries) {
    metrics->OutboxLength(tenant, entries);
  };
  parts->trimmer = std::make_unique<OutboxTrimmer>(
      parts->redis.get(), options.clock,
      [tenants = parts->tenants.get()] { return tenants->Ids(); }, trim);
  DigestOptions digest;
  digest.every = notify.digest_every;
  parts->digests = std::make_unique<DigestScheduler>(
      parts->redis.get(), options.clock,
      [tenants = parts->tenants.get()] { return tenants->Ids(); },
      [tenants = parts->tenants.get()](
          const std::string& id) -> absl::StatusOr<DigestTenant> {
        Tenant& tenant = tenants->Get(id);
        absl::StatusOr<std::shared_ptr<const RuleSnapshot>> rules =
            tenant.rule_cache.Current();
        if (!rules.ok()) return rules.status();
        DigestTenant about{tenant.config.Calendar()->zone(), {}};
        for (const v1::Rule& rule : (*rules)->rules) {
          about.rule_actions.emplace_back(rule.rule_id(), rule.action());
        }
        return about;
      },
      digest);
  if (notify.deliver_webhooks) {
    WebhookDispatcherOptions delivery;
    delivery.lease = notify.webhook_lease;
    delivery.retry_for = notify.webhook_retry_for;
    delivery.first_retry = notify.webhook_first_retry;
    delivery.sender.timeout = notify.webhook_timeout;
    delivery.sender.allow_private = notify.webhook_allow_private;
    parts->delivery_metrics = std::make_unique<DeliveryMetrics>(metrics);
    delivery.observer = parts->delivery_metrics.get();
    // Deliveries' reads and records on a connection of their own: behind
    // the award scripts' pipelines in the shared lanes they would wait as
    // long as those, and lag.
    RedisOptions own = options.redis;
    own.connections = 1;
    absl::StatusOr<std::unique_ptr<RedisClient>> dispatcher_redis =
        RedisClient::Create(own);
    if (!dispatcher_redis.ok()) return dispatcher_redis.status();
    parts->dispatcher_redis = *std::move(dispatcher_redis);
    parts->dispatcher = std::make_unique<WebhookDispatcher>(
        parts->dispatcher_redis.get(), parts->feed.get(), options.clock,
        delivery);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      Credentials(options);
  if (!credentials.ok()) return credentials.status();
  const ConnectionLimits& limits = options.limits;
  absl::StatusOr<std::unique_ptr<ConnectionListener>> listener =
      ConnectionListener::Listen(
          {options.listen_address, limits.max_connections,
           limits.reserved_descriptors},
          metrics);
  if (!listener.ok()) return listener.status();
  parts->listener = *std::move(listener);
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  ApplyLimits(limits, builder);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<CallMetricsFactory>(metrics));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  // plauditd accepts (see ConnectionListener); gRPC does the rest.
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor =
      builder.experimental().AddExternalConnectionAcceptor(
          grpc::ServerBuilder::experimental_type::ExternalConnectionType::
              FROM_FD,
          *credentials);
  for (const auto& service : parts->services) {
    builder.RegisterService(service.get());
  }
  parts->server = builder.BuildAndStart();
  if (parts->server == nullptr) {
    return absl::InternalError("the gRPC server did not start");
  }
  parts->listener->Start(std::move(acceptor));
  parts->port = parts->listener->port();
  if (!options.http_listen.empty()) {
    absl::StatusOr<std::unique_ptr<HttpServer>> http =
        StartHttp(options, parts->services, parts->redis.get(), *parts->server,
                  gateway_token, &parts->gateway);
    if (!http.ok()) return http.status();
    parts->http = *std::move(http);
  }
  return std::unique_ptr<PlauditServer>(new PlauditServer(std::move(parts)));
}

PlauditServer::PlauditServer(std::unique_ptr<Parts> parts)
    : parts_(std::move(parts)) {}

PlauditServer::~PlauditServer() {
  Shutdown(absl::ZeroDuration());
  // Redis callbacks still running (a group commit's next flight, a
  // stream's last chunk) call into the tenants: stop the lanes first.
  parts_->digests.reset();
  parts_->trimmer.reset();
  parts_->dispatcher.reset();
  parts_->feed.reset();
  parts_->redis.reset();
}

int PlauditServer::port() const { return parts_->port; }

int PlauditServer::http_port() const {
  return parts_->http == nullptr ? 0 : parts_->http->port();
}

int PlauditServer::metrics_port() const {
  if (parts_->exposer == nullptr) return 0;
  const std::vector<int> ports = parts_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void PlauditServer::Shutdown(absl::Duration grace) {
  // New HTTP and gRPC connections stop first; calls in flight on either
  // get the grace, and HTTP answers are written before its connections
  // close.
  if (parts_->http != nullptr) parts_->http->StopAccepting();
  parts_->listener->Stop();
  parts_->server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  if (parts_->http != nullptr) parts_->http->Stop();
}

void PlauditServer::Wait() { parts_->server->Wait(); }

}  // namespace plaudit
