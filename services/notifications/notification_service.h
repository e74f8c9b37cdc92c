// NotificationService: the watch stream and each user's inbox (thin
// adapter over OutboxFeed, WatchCall and InboxStore).
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_NOTIFICATION_SERVICE_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_NOTIFICATION_SERVICE_H_

#include "plaudit/v1/notification_service.grpc.pb.h"
#include "services/notifications/inbox_store.h"
#include "services/notifications/notification_codec.h"
#include "services/notifications/outbox_feed.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

class NotificationService final : public RpcService {
 public:
  NotificationService(ForTenant<InboxStore> inboxes, OutboxFeed* feed,
                      RedisClient* redis, CallGate gate);

  absl::Status ListNotifications(const Caller& caller,
                                 const v1::ListNotificationsRequest& request,
                                 v1::ListNotificationsResponse* response);
  absl::Status MarkNotificationsRead(
      const Caller& caller, const v1::MarkNotificationsReadRequest& request,
      v1::MarkNotificationsReadResponse* response);

 private:
  WriteReactor* Watch(grpc::CallbackServerContext* context,
                      const grpc::ByteBuffer* bytes);

  ForTenant<InboxStore> inboxes_;
  OutboxFeed* feed_;
  RedisClient* redis_;
};

// The filter a watch request asks for, checked (INVALID_ARGUMENT naming
// the field).
absl::StatusOr<NotificationFilter> WatchFilter(
    const v1::WatchNotificationsRequest& request);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_NOTIFICATION_SERVICE_H_
