// Each user's inbox: the notifications concerning them, indexed there (id,
// kind, time) by the script that made each change (lua/outbox_lib.lua),
// newest first, with a read mark. A page reads its notifications from the
// outbox by id: O(page), never a scan; one older than the outbox keeps
// comes with its kind and time alone.
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_INBOX_STORE_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_INBOX_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plaudit/v1/notification_service.pb.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

struct InboxPage {
  std::vector<v1::Notification> notifications;  // newest first
  std::string last_id;     // of the page, when more follow; else empty
  int unread = 0;          // counted up to 100
  std::string read_up_to;  // empty: nothing marked read
};

struct InboxMark {
  std::string read_up_to;
  int unread = 0;
};

class InboxStore {
 public:
  InboxStore(RedisClient* redis, KeySchema keys, std::string tenant);

  // Notifications older than `before` (empty: from the newest).
  absl::StatusOr<InboxPage> List(const std::string& user_id, bool unread_only,
                                 const std::string& before, int limit);
  // Marks read up to `up_to` (empty: all the inbox holds); never back.
  absl::StatusOr<InboxMark> MarkRead(const std::string& user_id,
                                     const std::string& up_to);

 private:
  RedisClient* redis_;
  const KeySchema keys_;
  const std::string tenant_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_INBOX_STORE_H_
