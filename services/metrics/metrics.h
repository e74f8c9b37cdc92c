// Every Prometheus metric family of plauditd is defined here, and only here.
// Labels are bounded: method, code, action (at most kMaxActions distinct,
// then "other"), reason, status, kind — never a user id.
#ifndef PLAUDIT_SERVICES_METRICS_METRICS_H_
#define PLAUDIT_SERVICES_METRICS_METRICS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "plaudit/v1/event_service.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/store/redis_client.h"

namespace plaudit {

struct BuildInfo {
  std::string version;
  std::string revision;
};

class Metrics final : public RedisObserver {
 public:
  static constexpr size_t kMaxActions = 100;

  explicit Metrics(const BuildInfo& build);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // gRPC, from the server interceptor.
  void CallStarted();
  void CallFinished(const std::string& method, const std::string& code,
                    absl::Duration elapsed);

  // Redis, from the client.
  void OnRoundTrip(absl::Duration elapsed, size_t commands,
                   const absl::Status& status) override;
  void OnConnect(bool ok) override;
  void OnPool(size_t idle, size_t open) override;

  // The domain.
  void EventRecorded(const std::string& action, const v1::EventOutcome& outcome);
  void EventRetracted();
  // A redemption entered `status` (placed, or moved by HR or the employee).
  void RedemptionEntered(const std::string& status);
  void PointsRedeemed(int64_t points);
  // A leaderboard page read answered from memory (see ReadCache) or sent
  // to Redis (whatever Redis then answered).
  void LeaderboardPageServed(bool from_memory);

  // Protection of the server from careless or hostile clients.
  // An authentication refused, by reason (KEY_MISSING, KEY_MALFORMED,
  // KEY_REJECTED, AUTH_THROTTLED, TENANT_MISMATCH, ROLE_FORBIDDEN).
  void AuthFailed(const std::string& reason);
  // The listener: connections handed to gRPC, refused at once (reason
  // max_connections or descriptors), open now.
  void ConnectionAccepted();
  void ConnectionRefused(const std::string& reason);
  void ConnectionsOpen(size_t open);
  // Request bytes being handled now (the in-flight budget), calls refused
  // because it was full, stream chunks that waited for it.
  void RequestBytesInFlight(int64_t bytes, int64_t peak);
  void RequestShed();
  void ChunkHeld();

  // Notifications. A webhook delivery attempt to `webhook` ("tenant/id":
  // at most 50 per tenant) by outcome (delivered, failed, dead, gone),
  // with the time from the change to a delivery.
  void WebhookDelivery(const std::string& webhook, const std::string& outcome,
                       absl::Duration lag);
  // Entries a tenant's outbox holds (after each trim).
  void OutboxLength(const std::string& tenant, int64_t entries);

 private:
  std::string BoundedAction(const std::string& action);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  prometheus::Gauge& in_flight_;
  prometheus::Histogram& redis_seconds_;
  prometheus::Counter& redis_commands_;
  prometheus::Family<prometheus::Counter>& redis_errors_;
  prometheus::Family<prometheus::Counter>& redis_connects_;
  prometheus::Gauge& redis_idle_;
  prometheus::Gauge& redis_busy_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Counter& duplicates_;
  prometheus::Family<prometheus::Counter>& points_awarded_;
  prometheus::Family<prometheus::Counter>& points_deducted_;
  prometheus::Family<prometheus::Counter>& refusals_;
  prometheus::Counter& retractions_;
  prometheus::Family<prometheus::Counter>& redemptions_;
  prometheus::Counter& points_redeemed_;
  prometheus::Family<prometheus::Counter>& pages_;
  prometheus::Counter& pages_from_memory_;
  prometheus::Counter& pages_from_redis_;
  prometheus::Family<prometheus::Counter>& auth_failures_;
  prometheus::Counter& connections_accepted_;
  prometheus::Family<prometheus::Counter>& connections_refused_;
  prometheus::Gauge& connections_open_;
  prometheus::Gauge& inflight_bytes_;
  prometheus::Gauge& inflight_peak_;
  prometheus::Counter& requests_shed_;
  prometheus::Counter& chunks_held_;
  prometheus::Family<prometheus::Counter>& webhook_deliveries_;
  prometheus::Histogram& webhook_lag_;
  prometheus::Family<prometheus::Gauge>& outbox_entries_;

  absl::Mutex mu_;
  absl::flat_hash_set<std::string> actions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_METRICS_METRICS_H_
