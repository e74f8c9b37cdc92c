#include "services/notifications/notification_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/paging.h"
#include "services/common/validation.h"
#include "services/notifications/watch_call.h"
#include "services/rpc/request_parsing.h"
#include "services/store/stream_id.h"

namespace plaudit {
namespace {

constexpr char kInboxToken[] = "inbox";
constexpr int32_t kDefaultInboxPage = 20;
constexpr int32_t kMaxInboxPage = 100;

absl::Status ValidateNotificationId(absl::string_view field,
                                    absl::string_view id) {
  if (id.empty() || IsStreamId(id)) return absl::OkStatus();
  return InvalidField(field, absl::StrCat("is not a notification id (like "
                                          "\"1733650000000-0\"): \"",
                                          id.substr(0, 64), "\""));
}

}  // namespace

absl::StatusOr<NotificationFilter> WatchFilter(
    const v1::WatchNotificationsRequest& request) {
  if (auto s = ValidateOptionalId("user_id", request.user_id()); !s.ok()) {
    return s;
  }
  NotificationFilter filter;
  filter.user = request.user_id();
  for (int i = 0; i < request.kinds_size(); ++i) {
    if (!IsNotificationKind(request.kinds(i))) {
      return InvalidField(absl::StrCat("kinds[", i, "]"),
                          absl::StrCat("unknown kind \"",
                                       request.kinds(i).substr(0, 64),
                                       "\" (e.g. award.paid)"));
    }
    filter.kinds.push_back(request.kinds(i));
  }
  if (auto s = ValidateNotificationId("after", request.after()); !s.ok()) {
    return s;
  }
  return filter;
}

NotificationService::NotificationService(ForTenant<InboxStore> inboxes,
                                         OutboxFeed* feed, RedisClient* redis,
                                         CallGate gate)
    : RpcService(v1::NotificationService::service_full_name(), gate),
      inboxes_(std::move(inboxes)),
      feed_(feed),
      redis_(redis) {
  Handle("ListNotifications", &NotificationService::ListNotifications);
  Handle("MarkNotificationsRead", &NotificationService::MarkNotificationsRead);
  HandleServerStream("WatchNotifications",
                     [this](grpc::CallbackServerContext* context,
                            const grpc::ByteBuffer* bytes) {
                       return Watch(context, bytes);
                     });
}

WriteReactor* NotificationService::Watch(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* bytes) {
  absl::StatusOr<Caller> caller = AdmitCaller(*context, "WatchNotifications");
  if (!caller.ok()) return WatchCall::Refused(caller.status());
  v1::WatchNotificationsRequest request;
  if (auto s = ParseRequest(*bytes, &request); !s.ok()) {
    return WatchCall::Refused(s);
  }
  absl::StatusOr<NotificationFilter> filter = WatchFilter(request);
  if (!filter.ok()) return WatchCall::Refused(filter.status());
  return WatchCall::Start(context, feed_, redis_, caller->tenant,
                          *std::move(filter), request.after());
}

absl::Status NotificationService::ListNotifications(
    const Caller& caller, const v1::ListNotificationsRequest& request,
    v1::ListNotificationsResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  if (request.page_size() < 0 || request.page_size() > kMaxInboxPage) {
    return InvalidField("page_size", absl::StrCat("must be 0 to ",
                                                  kMaxInboxPage, ", got ",
                                                  request.page_size()));
  }
  absl::StatusOr<PageRequest> asked = ReadPageRequest(kInboxToken, request);
  if (!asked.ok()) return asked.status();
  if (!asked->cursor.empty() && !IsStreamId(asked->cursor)) {
    return InvalidField("page_token", "is malformed");
  }
  const int limit =
      request.page_size() == 0 ? kDefaultInboxPage : request.page_size();
  absl::StatusOr<InboxPage> page =
      inboxes_(caller.tenant)
          .List(request.user_id(), request.unread_only(), asked->cursor, limit);
  if (!page.ok()) return page.status();
  for (auto& notification : page->notifications) {
    *response->add_notifications() = std::move(notification);
  }
  response->set_next_page_token(NextPageToken(kInboxToken, page->last_id));
  response->set_unread_count(page->unread);
  response->set_read_up_to(page->read_up_to);
  return absl::OkStatus();
}

absl::Status NotificationService::MarkNotificationsRead(
    const Caller& caller, const v1::MarkNotificationsReadRequest& request,
    v1::MarkNotificationsReadResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  if (auto s = ValidateNotificationId("up_to", request.up_to()); !s.ok()) {
    return s;
  }
  absl::StatusOr<InboxMark> mark =
      inboxes_(caller.tenant).MarkRead(request.user_id(), request.up_to());
  if (!mark.ok()) return mark.status();
  response->set_read_up_to(mark->read_up_to);
  response->set_unread_count(mark->unread);
  return absl::OkStatus();
}

}  // namespace plaudit
