#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "plaudit/v1/webhook_service.grpc.pb.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

namespace {

using Stub = v1::WebhookService::Stub;

void PrintWebhook(std::ostream& out, const v1::Webhook& w) {
  const v1::WebhookStatus& status = w.status();
  std::string why;
  if (w.state() == v1::Webhook::DISABLED && !status.disabled_reason().empty()) {
    why = "  (" + status.disabled_reason() + ")";
  } else if (!status.last_error().empty() &&
             (w.state() == v1::Webhook::RETRYING ||
              w.state() == v1::Webhook::PAUSED)) {
    why = absl::StrFormat("  (%d failures, last: %s)",
                          status.consecutive_failures(), status.last_error());
  }
  out << absl::StrFormat(
      "%-20s %-8s %s  kinds %s%s%s%s\n", w.webhook_id(),
      v1::Webhook::State_Name(w.state()), w.url(),
      w.kinds().empty() ? "all" : absl::StrJoin(w.kinds(), ","),
      w.group().empty() ? "" : "  group " + w.group(),
      w.description().empty() ? "" : "  \"" + w.description() + "\"", why);
}

}  // namespace

absl::Status WebhooksAdd(const Connection& c, const v1::Webhook& webhook) {
  v1::CreateWebhookRequest request;
  *request.mutable_webhook() = webhook;
  absl::StatusOr<v1::CreateWebhookResponse> response =
      Call(c, &Stub::CreateWebhook, request);
  if (!response.ok()) return response.status();
  if (auto s = PrintJson(c, response->webhook()); !s.ok()) return s;
  *c.out << "signing secret (shown once): " << response->secret() << "\n";
  return absl::OkStatus();
}

absl::Status WebhooksList(const Connection& c) {
  v1::ListWebhooksRequest request;
  request.set_page_size(1000);
  int shown = 0;
  do {
    absl::StatusOr<v1::ListWebhooksResponse> page =
        Call(c, &Stub::ListWebhooks, request);
    if (!page.ok()) return page.status();
    for (const v1::Webhook& webhook : page->webhooks()) {
      PrintWebhook(*c.out, webhook);
      ++shown;
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  if (shown == 0) *c.out << "no webhooks\n";
  return absl::OkStatus();
}

absl::Status WebhooksShow(const Connection& c, const std::string& webhook_id) {
  v1::GetWebhookRequest request;
  request.set_webhook_id(webhook_id);
  absl::StatusOr<v1::GetWebhookResponse> response =
      Call(c, &Stub::GetWebhook, request);
  if (!response.ok()) return response.status();
  return PrintJson(c, response->webhook());
}

absl::Status WebhooksRemove(const Connection& c,
                            const std::string& webhook_id) {
  v1::DeleteWebhookRequest request;
  request.set_webhook_id(webhook_id);
  absl::StatusOr<v1::DeleteWebhookResponse> response =
      Call(c, &Stub::DeleteWebhook, request);
  if (!response.ok()) return response.status();
  *c.out << "webhook " << webhook_id << " deleted\n";
  return absl::OkStatus();
}

absl::Status WebhooksSetDisabled(const Connection& c,
                                 const std::string& webhook_id, bool disabled) {
  v1::UpdateWebhookRequest request;
  request.mutable_webhook()->set_webhook_id(webhook_id);
  request.mutable_webhook()->set_disabled(disabled);
  request.mutable_update_mask()->add_paths("disabled");
  absl::StatusOr<v1::UpdateWebhookResponse> response =
      Call(c, &Stub::UpdateWebhook, request);
  if (!response.ok()) return response.status();
  PrintWebhook(*c.out, response->webhook());
  return absl::OkStatus();
}

absl::Status WebhooksRotate(const Connection& c,
                            const std::string& webhook_id) {
  v1::RotateWebhookSecretRequest request;
  request.set_webhook_id(webhook_id);  // the old secret signs too for a day
  absl::StatusOr<v1::RotateWebhookSecretResponse> response =
      Call(c, &Stub::RotateWebhookSecret, request);
  if (!response.ok()) return response.status();
  *c.out << "webhook " << webhook_id
         << ": new signing secret (shown once): " << response->secret()
         << "\n  the old secret keeps signing beside it for a day\n";
  return absl::OkStatus();
}

absl::Status DeliveriesList(const Connection& c, const std::string& webhook_id,
                            bool failed_only) {
  v1::ListDeliveriesRequest request;
  request.set_webhook_id(webhook_id);
  request.set_failed_only(failed_only);
  request.set_page_size(100);
  int shown = 0;
  do {
    absl::StatusOr<v1::ListDeliveriesResponse> page =
        Call(c, &Stub::ListDeliveries, request);
    if (!page.ok()) return page.status();
    for (const v1::Delivery& d : page->deliveries()) {
      *c.out << absl::StrFormat(
          "%s  %-18s %-22s %-9s attempt %d%s%s\n", FormatTime(d.time()),
          d.notification_id(), d.kind(),
          v1::Delivery::Outcome_Name(d.outcome()), d.attempt(),
          d.http_status() == 0 ? "" : absl::StrCat("  HTTP ", d.http_status()),
          d.error().empty() ? "" : "  " + d.error());
      ++shown;
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  if (shown == 0) {
    *c.out << webhook_id
           << (failed_only ? ": no dead letters\n" : ": no deliveries\n");
  }
  return absl::OkStatus();
}

absl::Status DeliveriesRedeliver(const Connection& c,
                                 const std::string& webhook_id,
                                 const std::string& notification_id) {
  v1::RedeliverNotificationRequest request;
  request.set_webhook_id(webhook_id);
  request.set_notification_id(notification_id);
  absl::StatusOr<v1::RedeliverNotificationResponse> response =
      Call(c, &Stub::RedeliverNotification, request);
  if (!response.ok()) return response.status();
  *c.out << "notification " << notification_id << " queued for redelivery to "
         << webhook_id << "\n";
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
