// Follows the outboxes of the tenants someone here listens to (watch
// streams, webhook deliveries) with one blocking read per replica, on a
// Redis connection of its own (a blocking XREAD on a shared lane would
// stall every call queued behind it). It keeps each followed tenant's
// latest entries in memory, parsed once, so that a thousand watchers of
// one tenant cost one read of Redis, not a thousand; a listener that has
// fallen behind what memory holds reads Redis itself (Read).
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_OUTBOX_FEED_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_OUTBOX_FEED_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "plaudit/v1/notification_service.pb.h"
#include "services/store/redis_client.h"
#include "services/store/stream_id.h"

namespace plaudit {

class OutboxFeed {
 public:
  struct Entry {
    StreamId id;
    v1::Notification notification;
    std::string groups;  // of its users, space separated
  };
  using EntryPtr = std::shared_ptr<const Entry>;
  using Entries = std::vector<EntryPtr>;

  class Listener {
   public:
    virtual ~Listener() = default;
    // The tenant's outbox grew, or the feed began to follow it: look with
    // After. Runs on the feed's thread: quick, never waiting.
    virtual void OnAppended() = 0;
  };

  struct Options {
    size_t kept_per_tenant = 1024;  // entries held in memory per tenant
    absl::Duration block = absl::Milliseconds(100);  // per blocking read
  };

  // `follower`: a client for the blocking reads alone; `redis`: the shared
  // lanes, for Read.
  OutboxFeed(std::unique_ptr<RedisClient> follower, RedisClient* redis,
             Options options);
  ~OutboxFeed();

  // The feed follows a tenant while it has listeners. A listener is held
  // weakly: one that is gone is forgotten.
  void Subscribe(const std::string& tenant, std::weak_ptr<Listener> listener);
  void Unsubscribe(const std::string& tenant, const Listener* listener);

  // Up to `max` entries after `cursor`, from memory; nullopt when memory
  // does not reach back to the cursor (then Read).
  std::optional<Entries> After(const std::string& tenant,
                               const StreamId& cursor, size_t max) const;
  // Up to `max` entries after `cursor`, from Redis; `done` runs on a lane.
  void Read(const std::string& tenant, const StreamId& cursor, size_t max,
            std::function<void(absl::StatusOr<Entries>)> done) const;

 private:
  struct Followed {
    std::string key;  // the outbox
    std::vector<std::weak_ptr<Listener>> listeners;
    bool started = false;  // head and base known
    StreamId base;         // entries after base are in `kept`
    StreamId head;         // the newest entry read
    std::deque<EntryPtr> kept;
  };

  void Loop();
  // Starts following tenants that are new: their newest id.
  void Start(const std::vector<std::string>& tenants);
  // One blocking read over every followed tenant; returns the tenants
  // whose outboxes grew.
  std::vector<std::string> ReadNew(const std::vector<std::string>& tenants);
  void Wake(const std::vector<std::string>& tenants);

  const std::unique_ptr<RedisClient> follower_;
  RedisClient* const redis_;
  const Options options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Followed> followed_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts once the rest is built
};

// Parses XRANGE/XREAD entries of `tenant`'s outbox; skips (and logs) an
// entry that is not a notification.
OutboxFeed::Entries ParseOutboxEntries(const std::string& tenant,
                                       const std::vector<RedisValue>& items);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_OUTBOX_FEED_H_
