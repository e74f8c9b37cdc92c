#include "services/notifications/inbox_store.h"

#include "absl/strings/str_cat.h"
#include "services/notifications/notification_codec.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"

namespace plaudit {

InboxStore::InboxStore(RedisClient* redis, KeySchema keys, std::string tenant)
    : redis_(redis), keys_(std::move(keys)), tenant_(std::move(tenant)) {}

absl::StatusOr<InboxPage> InboxStore::List(const std::string& user_id,
                                           bool unread_only,
                                           const std::string& before,
                                           int limit) {
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_, {&InboxPageScript(),
                {keys_.Inbox(user_id), keys_.InboxRead(), keys_.Outbox()},
                {user_id, before, unread_only ? "1" : "0", absl::StrCat(limit)}});
  if (!reply.ok()) return reply.status();
  InboxPage page;
  page.read_up_to = reply->elements.at(0).str;
  page.unread = static_cast<int>(reply->elements.at(1).integer);
  std::string groups;
  for (const RedisValue& entry : reply->elements.at(2).elements) {
    if (static_cast<int>(page.notifications.size()) == limit) {
      page.last_id = page.notifications.back().id();
      break;
    }
    absl::StatusOr<v1::Notification> notification =
        ParseNotification(tenant_, entry, &groups);
    if (!notification.ok()) return notification.status();
    // One the outbox no longer keeps concerned this user, at least.
    if (notification->user_ids().empty()) notification->add_user_ids(user_id);
    page.notifications.push_back(*std::move(notification));
  }
  return page;
}

absl::StatusOr<InboxMark> InboxStore::MarkRead(const std::string& user_id,
                                               const std::string& up_to) {
  absl::StatusOr<RedisValue> reply =
      RunScript(*redis_, {&InboxMarkScript(),
                          {keys_.Inbox(user_id), keys_.InboxRead()},
                          {user_id, up_to}});
  if (!reply.ok()) return reply.status();
  return InboxMark{reply->elements.at(0).str,
                   static_cast<int>(reply->elements.at(1).integer)};
}

}  // namespace plaudit
