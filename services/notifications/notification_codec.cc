#include "services/notifications/notification_codec.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace plaudit {
namespace {

using google::protobuf::util::TimeUtil;

// The payload field a kind's JSON fills; nullptr for a kind this build
// does not know (a newer replica's): told without a payload.
google::protobuf::Message* PayloadOf(absl::string_view kind,
                                     v1::Notification* notification) {
  if (kind == "award.paid") return notification->mutable_award_paid();
  if (kind == "event.retracted") {
    return notification->mutable_event_retracted();
  }
  if (kind == "balance.adjusted") {
    return notification->mutable_balance_adjusted();
  }
  if (absl::StartsWith(kind, "redemption.")) {
    return notification->mutable_redemption_changed();
  }
  if (kind == "digest.daily") return notification->mutable_daily_digest();
  return nullptr;
}

}  // namespace

const std::vector<std::string>& NotificationKinds() {
  static const auto* kinds = new std::vector<std::string>{
      "award.paid",           "event.retracted",      "balance.adjusted",
      "redemption.placed",    "redemption.approved",  "redemption.rejected",
      "redemption.fulfilled", "redemption.cancelled", "digest.daily",
  };
  return *kinds;
}

bool IsNotificationKind(absl::string_view kind) {
  const auto& kinds = NotificationKinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

absl::StatusOr<v1::Notification> ParseNotification(absl::string_view tenant,
                                                   const RedisValue& entry,
                                                   std::string* groups) {
  if (entry.elements.size() != 2) {
    return absl::InternalError("outbox: an entry is not [id, fields]");
  }
  v1::Notification notification;
  notification.set_id(entry.elements[0].str);
  notification.set_tenant(std::string(tenant));
  const std::string* payload = nullptr;
  groups->clear();
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    if (name == "k") {
      notification.set_kind(value);
    } else if (name == "u") {
      for (absl::string_view user :
           absl::StrSplit(value, ' ', absl::SkipEmpty())) {
        notification.add_user_ids(std::string(user));
      }
    } else if (name == "g") {
      *groups = value;
    } else if (name == "at") {
      *notification.mutable_time() =
          TimeUtil::MillisecondsToTimestamp(ParseInteger(value));
    } else if (name == "p") {
      payload = &value;
    }
  }
  google::protobuf::Message* message =
      payload == nullptr ? nullptr : PayloadOf(notification.kind(), &notification);
  if (message != nullptr) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;  // written by a newer replica
    const auto status =
        google::protobuf::util::JsonStringToMessage(*payload, message, options);
    if (!status.ok()) {
      return absl::InternalError(
          absl::StrCat("outbox: notification ", notification.id(), " (",
                       notification.kind(), "): ", status.ToString()));
    }
  }
  return notification;
}

bool NotificationFilter::Accepts(const v1::Notification& notification,
                                 absl::string_view groups) const {
  if (!kinds.empty() &&
      std::find(kinds.begin(), kinds.end(), notification.kind()) ==
          kinds.end()) {
    return false;
  }
  if (!user.empty() &&
      std::find(notification.user_ids().begin(), notification.user_ids().end(),
                user) == notification.user_ids().end()) {
    return false;
  }
  if (!group.empty()) {
    for (absl::string_view g : absl::StrSplit(groups, ' ', absl::SkipEmpty())) {
      if (g == group) return true;
    }
    return false;
  }
  return true;
}

}  // namespace plaudit
