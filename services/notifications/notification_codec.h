// Notifications as the outbox and the inboxes keep them (written by
// services/store/lua/outbox_lib.lua) and as the API gives them.
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_NOTIFICATION_CODEC_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_NOTIFICATION_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/notification_service.pb.h"
#include "services/store/redis_client.h"

namespace plaudit {

// Every kind the scripts write, e.g. "award.paid".
const std::vector<std::string>& NotificationKinds();
bool IsNotificationKind(absl::string_view kind);

// A stream entry [id, [field, value, ...]] of the outbox or an inbox, with
// the space-separated groups of its users (the outbox's field "g"; empty
// for an inbox's). INTERNAL when the entry is not a notification.
absl::StatusOr<v1::Notification> ParseNotification(absl::string_view tenant,
                                                   const RedisValue& entry,
                                                   std::string* groups);

// What a watcher or a webhook asked for: notifications concerning `user`
// (empty: anyone's), of `kinds` (none: every kind), of users in `group`
// (empty: any group; matched against ParseNotification's `groups`).
struct NotificationFilter {
  std::string user;
  std::vector<std::string> kinds;
  std::string group;

  bool Accepts(const v1::Notification& notification,
               absl::string_view groups) const;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_NOTIFICATION_CODEC_H_
