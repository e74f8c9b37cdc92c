#include "services/metrics/metrics.h"

#include "absl/time/clock.h"

namespace plaudit {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// 0.5 ms .. 10 s: Redis round trips and RPCs alike.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

// Redis failures by kind, as the client maps them to codes.
std::string ErrorKind(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable: return "unavailable";
    case absl::StatusCode::kDeadlineExceeded: return "timeout";
    case absl::StatusCode::kResourceExhausted: return "resource_exhausted";
    default: return "internal";
  }
}

}  // namespace

Metrics::Metrics(const BuildInfo& build)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(BuildCounter()
                    .Name("plaudit_grpc_requests_total")
                    .Help("gRPC calls handled, by method and status code")
                    .Register(*registry_)),
      request_seconds_(BuildHistogram()
                           .Name("plaudit_grpc_request_duration_seconds")
                           .Help("gRPC call latency, by method")
                           .Register(*registry_)),
      in_flight_(BuildGauge()
                     .Name("plaudit_grpc_requests_in_flight")
                     .Help("gRPC calls being handled now")
                     .Register(*registry_)
                     .Add({})),
      redis_seconds_(BuildHistogram()
                         .Name("plaudit_redis_round_trip_duration_seconds")
                         .Help("Redis round trips (a command, a script or a "
                               "pipeline), including waiting for a connection")
                         .Register(*registry_)
                         .Add({}, kLatencyBuckets)),
      redis_commands_(BuildCounter()
                          .Name("plaudit_redis_commands_total")
                          .Help("Commands sent to Redis (a pipeline counts "
                                "each of its commands)")
                          .Register(*registry_)
                          .Add({})),
      redis_errors_(BuildCounter()
                        .Name("plaudit_redis_errors_total")
                        .Help("Failed Redis round trips, by kind")
                        .Register(*registry_)),
      redis_connects_(BuildCounter()
                          .Name("plaudit_redis_connects_total")
                          .Help("Connections opened to Redis, by result")
                          .Register(*registry_)),
      redis_idle_(BuildGauge()
                      .Name("plaudit_redis_idle_connections")
                      .Help("Connections in the pool waiting for a call")
                      .Register(*registry_)
                      .Add({})),
      redis_busy_(BuildGauge()
                      .Name("plaudit_redis_busy_connections")
                      .Help("Connections carrying a call (pool depth in use)")
                      .Register(*registry_)
                      .Add({})),
      events_(BuildCounter()
                  .Name("plaudit_events_recorded_total")
                  .Help("Events recorded for the first time, by action")
                  .Register(*registry_)),
      duplicates_(BuildCounter()
                      .Name("plaudit_events_duplicate_total")
                      .Help("Events sent again (same event_id): nothing paid")
                      .Register(*registry_)
                      .Add({})),
      points_awarded_(BuildCounter()
                          .Name("plaudit_points_awarded_total")
                          .Help("Points paid by rules, by action")
                          .Register(*registry_)),
      points_deducted_(BuildCounter()
                           .Name("plaudit_points_deducted_total")
                           .Help("Points taken by penalty rules, by action")
                           .Register(*registry_)),
      refusals_(BuildCounter()
                    .Name("plaudit_awards_refused_total")
                    .Help("Rules that matched an event but paid nothing, by "
                          "reason")
                    .Register(*registry_)),
      retractions_(BuildCounter()
                       .Name("plaudit_retractions_total")
                       .Help("Events retracted (their awards reversed)")
                       .Register(*registry_)
                       .Add({})),
      redemptions_(BuildCounter()
                       .Name("plaudit_redemptions_total")
                       .Help("Redemptions entering a status (PENDING or "
                             "APPROVED when placed, then the workflow)")
                       .Register(*registry_)),
      points_redeemed_(BuildCounter()
                           .Name("plaudit_points_redeemed_total")
                           .Help("Points debited by redemptions when placed")
                           .Register(*registry_)
                           .Add({})),
      pages_(BuildCounter()
                 .Name("plaudit_leaderboard_pages_total")
                 .Help("Leaderboard page reads by where they were answered: "
                       "memory (nothing written since the page was read) or "
                       "redis (failed reads included)")
                 .Register(*registry_)),
      pages_from_memory_(pages_.Add({{"source", "memory"}})),
      pages_from_redis_(pages_.Add({{"source", "redis"}})),
      auth_failures_(BuildCounter()
                         .Name("plaudit_auth_failures_total")
                         .Help("Calls refused by authentication or authorization, "
                               "by reason")
                         .Register(*registry_)),
      connections_accepted_(BuildCounter()
                                .Name("plaudit_connections_accepted_total")
                                .Help("Client connections accepted and handed to gRPC")
                                .Register(*registry_)
                                .Add({})),
      connections_refused_(BuildCounter()
                               .Name("plaudit_connections_refused_total")
                               .Help("Client connections closed at once, by reason: "
                                     "max_connections reached, or too few file "
                                     "descriptors left")
                               .Register(*registry_)),
      connections_open_(BuildGauge()
                            .Name("plaudit_connections_open")
                            .Help("Client connections open now")
                            .Register(*registry_)
                            .Add({})),
      inflight_bytes_(BuildGauge()
                          .Name("plaudit_inflight_request_bytes")
                          .Help("Bytes of requests being handled now (bounded by "
                                "--max_inflight_bytes)")
                          .Register(*registry_)
                          .Add({})),
      inflight_peak_(BuildGauge()
                         .Name("plaudit_inflight_request_bytes_peak")
                         .Help("The most bytes of requests ever handled at once")
                         .Register(*registry_)
                         .Add({})),
      requests_shed_(BuildCounter()
                         .Name("plaudit_requests_shed_total")
                         .Help("Calls refused with RESOURCE_EXHAUSTED (SERVER_BUSY) "
                               "because the in-flight budget was full")
                         .Register(*registry_)
                         .Add({})),
      chunks_held_(BuildCounter()
                       .Name("plaudit_stream_chunks_held_total")
                       .Help("Stream chunks that waited for the in-flight budget "
                             "(their stream was not read meanwhile)")
                       .Register(*registry_)
                       .Add({})),
      webhook_deliveries_(
          BuildCounter()
              .Name("plaudit_webhook_deliveries_total")
              .Help("Webhook delivery attempts, by endpoint (tenant/id) and "
                    "outcome (delivered, failed, dead: a dead letter, gone: "
                    "the endpoint answered 410)")
              .Register(*registry_)),
      webhook_lag_(BuildHistogram()
                       .Name("plaudit_webhook_delivery_lag_seconds")
                       .Help("From a change to its webhook delivery")
                       .Register(*registry_)
                       .Add({}, prometheus::Histogram::BucketBoundaries{
                                    0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
                                    60, 600, 3600, 86400})),
      outbox_entries_(BuildGauge()
                          .Name("plaudit_outbox_entries")
                          .Help("Notifications a tenant's outbox holds")
                          .Register(*registry_)) {
  // Series of known label values exist from the start: rate() sees them
  // from zero, and dashboards find every family.
  for (const char* kind : {"unavailable", "timeout", "resource_exhausted", "internal"}) {
    redis_errors_.Add({{"kind", kind}});
  }
  for (const char* result : {"ok", "failed"}) {
    redis_connects_.Add({{"result", result}});
  }
  for (int reason = v1::Refusal::Reason_MIN + 1;
       reason <= v1::Refusal::Reason_MAX; ++reason) {
    if (v1::Refusal::Reason_IsValid(reason)) {
      refusals_.Add({{"reason", v1::Refusal::Reason_Name(
                                    static_cast<v1::Refusal::Reason>(reason))}});
    }
  }
  for (const char* reason : {"KEY_MISSING", "KEY_MALFORMED", "KEY_REJECTED",
                             "AUTH_THROTTLED", "TENANT_MISMATCH", "ROLE_FORBIDDEN"}) {
    auth_failures_.Add({{"reason", reason}});
  }
  for (const char* reason : {"max_connections", "descriptors"}) {
    connections_refused_.Add({{"reason", reason}});
  }
  for (const char* status :
       {"PENDING", "APPROVED", "FULFILLED", "REJECTED", "CANCELLED"}) {
    redemptions_.Add({{"status", status}});
  }
  BuildGauge()
      .Name("plaudit_build_info")
      .Help("The running build: always 1")
      .Register(*registry_)
      .Add({{"version", build.version}, {"revision", build.revision}})
      .Set(1);
  BuildGauge()
      .Name("process_start_time_seconds")
      .Help("Start time of the process since the Unix epoch, in seconds")
      .Register(*registry_)
      .Add({})
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
}

void Metrics::CallStarted() { in_flight_.Increment(); }

void Metrics::CallFinished(const std::string& method, const std::string& code,
                           absl::Duration elapsed) {
  in_flight_.Decrement();
  requests_.Add({{"method", method}, {"code", code}}).Increment();
  request_seconds_.Add({{"method", method}}, kLatencyBuckets)
      .Observe(absl::ToDoubleSeconds(elapsed));
}

void Metrics::OnRoundTrip(absl::Duration elapsed, size_t commands,
                          const absl::Status& status) {
  redis_seconds_.Observe(absl::ToDoubleSeconds(elapsed));
  redis_commands_.Increment(static_cast<double>(commands));
  if (!status.ok()) redis_errors_.Add({{"kind", ErrorKind(status)}}).Increment();
}

void Metrics::OnConnect(bool ok) {
  redis_connects_.Add({{"result", ok ? "ok" : "failed"}}).Increment();
}

void Metrics::OnPool(size_t idle, size_t open) {
  redis_idle_.Set(static_cast<double>(idle));
  redis_busy_.Set(static_cast<double>(open > idle ? open - idle : 0));
}

std::string Metrics::BoundedAction(const std::string& action) {
  absl::MutexLock lock(&mu_);
  if (actions_.contains(action)) return action;
  if (actions_.size() >= kMaxActions) return "other";
  actions_.insert(action);
  return action;
}

void Metrics::EventRecorded(const std::string& action,
                            const v1::EventOutcome& outcome) {
  if (outcome.duplicate()) {
    duplicates_.Increment();
    return;
  }
  const std::string label = BoundedAction(action);
  events_.Add({{"action", label}}).Increment();
  for (const v1::Award& award : outcome.awards()) {
    auto& family = award.points() >= 0 ? points_awarded_ : points_deducted_;
    family.Add({{"action", label}})
        .Increment(static_cast<double>(std::llabs(award.points())));
  }
  for (const v1::Refusal& refusal : outcome.refusals()) {
    refusals_.Add({{"reason", v1::Refusal::Reason_Name(refusal.reason())}})
        .Increment();
  }
}

void Metrics::EventRetracted() { retractions_.Increment(); }

void Metrics::LeaderboardPageServed(bool from_memory) {
  (from_memory ? pages_from_memory_ : pages_from_redis_).Increment();
}

void Metrics::AuthFailed(const std::string& reason) {
  auth_failures_.Add({{"reason", reason}}).Increment();
}

void Metrics::ConnectionAccepted() { connections_accepted_.Increment(); }

void Metrics::ConnectionRefused(const std::string& reason) {
  connections_refused_.Add({{"reason", reason}}).Increment();
}

void Metrics::ConnectionsOpen(size_t open) {
  connections_open_.Set(static_cast<double>(open));
}

void Metrics::RequestBytesInFlight(int64_t bytes, int64_t peak) {
  inflight_bytes_.Set(static_cast<double>(bytes));
  inflight_peak_.Set(static_cast<double>(peak));
}

void Metrics::RequestShed() { requests_shed_.Increment(); }

void Metrics::ChunkHeld() { chunks_held_.Increment(); }

void Metrics::WebhookDelivery(const std::string& webhook,
                              const std::string& outcome, absl::Duration lag) {
  webhook_deliveries_.Add({{"webhook", webhook}, {"outcome", outcome}})
      .Increment();
  if (outcome == "delivered") webhook_lag_.Observe(absl::ToDoubleSeconds(lag));
}

void Metrics::OutboxLength(const std::string& tenant, int64_t entries) {
  outbox_entries_.Add({{"tenant", tenant}})
      .Set(static_cast<double>(entries));
}

void Metrics::RedemptionEntered(const std::string& status) {
  redemptions_.Add({{"status", status}}).Increment();
}

void Metrics::PointsRedeemed(int64_t points) {
  points_redeemed_.Increment(static_cast<double>(points));
}

}  // namespace plaudit
