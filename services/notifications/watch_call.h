// One WatchNotifications call: catches up from its cursor (memory, or Redis
// when the feed's memory does not reach back so far), then follows the
// feed. One notification is in flight at a time, and nothing is queued
// for a slow reader: what it has not taken stays in the outbox, read when
// it is ready, so a thousand watchers that never read cost a thousand
// cursors, not a thousand queues.
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_WATCH_CALL_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_WATCH_CALL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "services/notifications/notification_codec.h"
#include "services/notifications/outbox_feed.h"
#include "services/store/redis_client.h"
#include "services/store/stream_id.h"

namespace plaudit {

class WatchCall final : public OutboxFeed::Listener,
                        public std::enable_shared_from_this<WatchCall> {
 public:
  using Reactor = grpc::ServerWriteReactor<grpc::ByteBuffer>;

  // A reactor finished with `status` at once (a refused call).
  static Reactor* Refused(const absl::Status& status);
  // The reactor of a call that follows `tenant`'s outbox after `after` (a
  // notification id; empty: after the newest). OUT_OF_RANGE
  // (CURSOR_EXPIRED) when the outbox was trimmed past `after`.
  static Reactor* Start(grpc::CallbackServerContext* context,
                        OutboxFeed* feed, RedisClient* redis,
                        std::string tenant, NotificationFilter filter,
                        std::string after);

  void OnAppended() override { Pump(); }

 private:
  class Stream;

  WatchCall(grpc::CallbackServerContext* context, OutboxFeed* feed,
            std::string tenant, NotificationFilter filter);

  // Where to begin, from the outbox's newest id and trim point.
  void Begin(const std::string& after, RedisReplies replies);
  // Writes the next notification if none is in flight, looking in memory,
  // else in Redis, for what follows the cursor.
  void Pump();
  void OnRead(absl::StatusOr<OutboxFeed::Entries> entries);
  void OnWriteDone(bool ok);
  void OnCancel();
  void OnDone();
  // Ends the call once no write is in flight; returns the stream to call
  // Finish on now (outside the lock: it may end the call inline), if any.
  Stream* Finishing(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishNow(Stream* stream);

  grpc::CallbackServerContext* const context_;  // valid until OnDone
  OutboxFeed* const feed_;
  const std::string tenant_;
  const NotificationFilter filter_;
  absl::Mutex mu_;
  Stream* stream_ ABSL_GUARDED_BY(mu_);  // null once done
  StreamId cursor_ ABSL_GUARDED_BY(mu_);
  OutboxFeed::Entries batch_ ABSL_GUARDED_BY(mu_);
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;  // while reading
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // Finish called or due
  absl::Status final_status_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer out_ ABSL_GUARDED_BY(mu_);  // the write in flight
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_WATCH_CALL_H_
