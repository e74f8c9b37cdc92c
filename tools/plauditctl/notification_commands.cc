#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "plaudit/v1/notification_service.grpc.pb.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

namespace {

using Stub = v1::NotificationService::Stub;

// The notification's payload (award_paid, ...) as one line of JSON.
std::string PayloadJson(const v1::Notification& n) {
  const google::protobuf::Message* payload = nullptr;
  switch (n.payload_case()) {
    case v1::Notification::kAwardPaid:
      payload = &n.award_paid();
      break;
    case v1::Notification::kEventRetracted:
      payload = &n.event_retracted();
      break;
    case v1::Notification::kBalanceAdjusted:
      payload = &n.balance_adjusted();
      break;
    case v1::Notification::kRedemptionChanged:
      payload = &n.redemption_changed();
      break;
    case v1::Notification::PAYLOAD_NOT_SET:
      return "{}";
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*payload, &json, options)
           .ok()) {
    return "{}";
  }
  return json;
}

// One line: id, kind, the users it concerns, its payload.
void PrintNotification(std::ostream& out, const v1::Notification& n) {
  out << absl::StrFormat(
      "%-18s %-22s %-16s %s\n", n.id(), n.kind(),
      n.user_ids().empty() ? "-" : absl::StrJoin(n.user_ids(), ","),
      PayloadJson(n));
}

// unread_count is counted up to 100.
std::string Unread(int32_t count) {
  return count >= 100 ? "99+" : absl::StrCat(count);
}

}  // namespace

absl::Status NotificationsTail(const Connection& c,
                               const v1::WatchNotificationsRequest& request) {
  // A follow has no deadline: it runs until interrupted or the server ends it.
  std::unique_ptr<grpc::ClientContext> context = NewContext(c);
  context->set_deadline(std::chrono::system_clock::time_point::max());
  Stub stub(c.channel);
  std::unique_ptr<grpc::ClientReader<v1::Notification>> reader =
      stub.WatchNotifications(context.get(), request);
  v1::Notification notification;
  while (reader->Read(&notification)) {
    PrintNotification(*c.out, notification);
    c.out->flush();
  }
  return FromGrpc(reader->Finish());
}

absl::Status NotificationsList(const Connection& c, const std::string& user_id,
                               bool unread_only) {
  v1::ListNotificationsRequest request;
  request.set_user_id(user_id);
  request.set_unread_only(unread_only);
  request.set_page_size(100);
  int shown = 0;
  do {
    absl::StatusOr<v1::ListNotificationsResponse> page =
        Call(c, &Stub::ListNotifications, request);
    if (!page.ok()) return page.status();
    if (request.page_token().empty()) {
      *c.out << absl::StrFormat(
          "%s: %s unread%s\n", user_id, Unread(page->unread_count()),
          page->read_up_to().empty() ? ""
                                     : ", read up to " + page->read_up_to());
    }
    for (const v1::Notification& n : page->notifications()) {
      PrintNotification(*c.out, n);
      ++shown;
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  if (shown == 0) {
    *c.out << (unread_only ? "no unread notifications\n"
                           : "no notifications\n");
  }
  return absl::OkStatus();
}

absl::Status NotificationsRead(const Connection& c, const std::string& user_id,
                               const std::string& up_to) {
  v1::MarkNotificationsReadRequest request;
  request.set_user_id(user_id);
  request.set_up_to(up_to);
  absl::StatusOr<v1::MarkNotificationsReadResponse> response =
      Call(c, &Stub::MarkNotificationsRead, request);
  if (!response.ok()) return response.status();
  *c.out << absl::StrFormat(
      "%s: read up to %s, %s unread\n", user_id,
      response->read_up_to().empty() ? "none" : response->read_up_to(),
      Unread(response->unread_count()));
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
