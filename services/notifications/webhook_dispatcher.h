// Delivers the outbox to HR's webhook endpoints. Every replica runs one;
// each endpoint is delivered to by the replica holding its lease (a short
// Redis lease on the injected clock), reading the endpoint's consumer
// group on the outbox, so an endpoint gets each notification once however
// many replicas run. A replica that takes over an endpoint (its holder died
// or stalled past the lease) claims the entries its holder had read and
// not acknowledged (XAUTOCLAIM) and delivers them first: at least once, in
// order.
//
// Per endpoint, one delivery at a time in stream order (handed to the
// sender as lines of up to 32, each sent as soon as the one before was
// taken); a failure holds the line (head-of-line) and is retried with
// exponential backoff and jitter until it is delivered or older than the
// retry period, then it is a dead letter and the next one goes. An
// endpoint that hangs costs its own timeout, never the others'
// (WebhookSender).
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_DISPATCHER_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_DISPATCHER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/notifications/notification_codec.h"
#include "services/notifications/outbox_feed.h"
#include "services/notifications/webhook_sender.h"
#include "services/notifications/webhook_store.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

// What the dispatcher reports (metrics); may be null.
class DeliveryObserver {
 public:
  virtual ~DeliveryObserver() = default;
  // outcome: "delivered", "failed", "dead", "gone"; lag: from the change
  // to its delivery.
  virtual void OnDelivery(const std::string& tenant, const std::string& webhook,
                          const std::string& outcome, absl::Duration lag) = 0;
};

struct WebhookDispatcherOptions {
  std::string replica;  // consumer name; empty: made from host, pid, randomness
  absl::Duration lease = absl::Seconds(30);  // renewed every third of it
  absl::Duration retry_for = absl::Hours(24);
  absl::Duration first_retry = absl::Seconds(5);  // doubled each failure
  absl::Duration max_retry = absl::Hours(1);
  // Real time between looks at the (injected) clock, and between reads of
  // the endpoints from Redis.
  absl::Duration tick = absl::Milliseconds(20);
  absl::Duration refresh = absl::Seconds(1);
  WebhookSenderOptions sender;
  DeliveryObserver* observer = nullptr;
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(RedisClient* redis, OutboxFeed* feed, Clock clock,
                    WebhookDispatcherOptions options);
  ~WebhookDispatcher();

 private:
  struct Letter;
  struct Endpoint;
  class Waker;
  using Key = std::pair<std::string, std::string>;  // tenant, webhook id

  void Loop();
  void Wake(const std::string& tenant);
  void Refresh();
  void Step(Endpoint& endpoint, absl::Time now);
  bool HoldLease(Endpoint& endpoint, absl::Time now);
  bool Recover(Endpoint& endpoint);
  void ReadAhead(Endpoint& endpoint);
  static std::vector<Letter> ParseLetters(const std::string& tenant,
                                          const RedisValue& reply, bool claim);
  void WaitForRecords(Endpoint& endpoint);
  void TakeRedelivery(Endpoint& endpoint);
  void FlushAcks(Endpoint& endpoint);
  void Send(Endpoint& endpoint, absl::Time now);
  void Settle(Endpoint& endpoint, const Letter& letter, absl::Time now,
              const std::string& outcome, const WebhookResult& result,
              int64_t next_attempt_ms, bool ack);
  void OnResult(const Key& key, WebhookResult result, bool last);
  void RecordDelivered(Endpoint& endpoint, absl::Time now);
  void DeadLetter(Endpoint& endpoint, const Letter& letter, absl::Time now);
  absl::Duration Backoff(int failures);

  RedisClient* const redis_;
  OutboxFeed* const feed_;
  const Clock clock_;
  const WebhookDispatcherOptions options_;
  const std::string replica_;
  absl::BitGen random_;  // the loop's only
  std::map<Key, std::unique_ptr<Endpoint>> endpoints_;  // the loop's only
  std::map<std::string, std::shared_ptr<Waker>> wakers_;  // by tenant
  absl::Time next_refresh_ = absl::InfinitePast();  // real time
  absl::Mutex mu_;
  struct Result {
    Key key;
    WebhookResult result;
    bool last;  // the line's last
  };
  std::deque<Result> results_ ABSL_GUARDED_BY(mu_);
  bool results_due_ ABSL_GUARDED_BY(mu_) = false;
  struct ReadAheadDone {
    Key key;
    uint64_t wakes;
    bool ok;
    std::vector<Letter> letters;
  };
  std::deque<ReadAheadDone> reads_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> grown_ ABSL_GUARDED_BY(mu_);  // tenants woken
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Reads ahead still out: their replies call back into this.
  std::atomic<int> reading_{0};
  // After the state its callbacks fill: destroyed first, answering what is
  // still in flight into a live results_.
  WebhookSender sender_;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_DISPATCHER_H_
