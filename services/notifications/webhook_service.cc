#include "services/notifications/webhook_service.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/error_reason.h"
#include "services/common/paging.h"
#include "services/common/update_mask.h"
#include "services/common/validation.h"
#include "services/notifications/notification_codec.h"
#include "services/notifications/webhook_sender.h"
#include "services/notifications/webhook_signature.h"
#include "services/store/stream_id.h"

namespace plaudit {
namespace {

constexpr char kWebhooksToken[] = "webhooks";
constexpr char kDeliveriesToken[] = "deliveries";
constexpr char kDeadToken[] = "dead";
constexpr absl::Duration kDefaultKeepOld = absl::Hours(24);
constexpr absl::Duration kMaxKeepOld = absl::Hours(24 * 7);

// The secret given, checked, or a new one.
absl::StatusOr<std::string> SecretOf(const std::string& given) {
  if (given.empty()) return GenerateWebhookSecret();
  if (auto key = WebhookSecretKey("secret", given); !key.ok()) {
    return key.status();
  }
  return given;
}

// Only what HR sets travels in a create or an update.
v1::Webhook HrFields(const v1::Webhook& webhook) {
  v1::Webhook fields = webhook;
  fields.clear_state();
  fields.clear_status();
  fields.clear_create_time();
  fields.clear_update_time();
  return fields;
}

}  // namespace

WebhookService::WebhookService(ForTenant<WebhookStore> stores, CallGate gate,
                               AuditLog* audit, bool allow_private)
    : RpcService(v1::WebhookService::service_full_name(), gate),
      stores_(std::move(stores)),
      audit_(audit),
      allow_private_(allow_private) {
  Handle("CreateWebhook", &WebhookService::CreateWebhook);
  Handle("GetWebhook", &WebhookService::GetWebhook);
  Handle("ListWebhooks", &WebhookService::ListWebhooks);
  Handle("UpdateWebhook", &WebhookService::UpdateWebhook);
  Handle("DeleteWebhook", &WebhookService::DeleteWebhook);
  Handle("RotateWebhookSecret", &WebhookService::RotateWebhookSecret);
  Handle("ListDeliveries", &WebhookService::ListDeliveries);
  Handle("RedeliverNotification", &WebhookService::RedeliverNotification);
}

absl::Status WebhookService::Validate(const v1::Webhook& webhook,
                                      const std::string& prefix) const {
  auto field = [&](absl::string_view name) {
    return absl::StrCat(prefix, ".", name);
  };
  if (auto s = ValidateSlug(field("webhook_id"), webhook.webhook_id());
      !s.ok()) {
    return s;
  }
  if (auto s = CheckWebhookUrl(field("url"), webhook.url(), allow_private_);
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < webhook.kinds_size(); ++i) {
    if (!IsNotificationKind(webhook.kinds(i))) {
      return InvalidField(
          field(absl::StrCat("kinds[", i, "]")),
          absl::StrCat("unknown kind \"", webhook.kinds(i).substr(0, 64),
                       "\" (e.g. award.paid)"));
    }
  }
  if (!webhook.group().empty()) {
    if (auto s = ValidateGroup(field("group"), webhook.group()); !s.ok()) {
      return s;
    }
  }
  return ValidateText(field("description"), webhook.description(), 512);
}

absl::Status WebhookService::CreateWebhook(
    const Caller& caller, const v1::CreateWebhookRequest& request,
    v1::CreateWebhookResponse* response) {
  const v1::Webhook webhook = HrFields(request.webhook());
  if (auto s = Validate(webhook, "webhook"); !s.ok()) return s;
  absl::StatusOr<std::string> secret = SecretOf(request.secret());
  if (!secret.ok()) return secret.status();
  WebhookStore& store = stores_(caller.tenant);
  absl::StatusOr<std::vector<WebhookRecord>> existing = store.List();
  if (!existing.ok()) return existing.status();
  if (static_cast<int>(existing->size()) >= kMaxWebhooksPerTenant) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "a tenant may have at most ", kMaxWebhooksPerTenant,
            " webhooks; delete one first")),
        "TOO_MANY_WEBHOOKS");
  }
  absl::StatusOr<WebhookRecord> created = store.Create(webhook, *secret);
  if (!created.ok()) return created.status();
  audit_->Record(caller, "WEBHOOK_CREATED", webhook.webhook_id(), nullptr,
                 &created->webhook);
  *response->mutable_webhook() = created->webhook;
  response->set_secret(*secret);
  return absl::OkStatus();
}

absl::Status WebhookService::GetWebhook(const Caller& caller,
                                        const v1::GetWebhookRequest& request,
                                        v1::GetWebhookResponse* response) {
  if (auto s = ValidateSlug("webhook_id", request.webhook_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<WebhookRecord> record =
      stores_(caller.tenant).Get(request.webhook_id());
  if (!record.ok()) return record.status();
  *response->mutable_webhook() = record->webhook;
  return absl::OkStatus();
}

absl::Status WebhookService::ListWebhooks(
    const Caller& caller, const v1::ListWebhooksRequest& request,
    v1::ListWebhooksResponse* response) {
  absl::StatusOr<PageRequest> page = ReadPageRequest(kWebhooksToken, request);
  if (!page.ok()) return page.status();
  absl::StatusOr<std::vector<WebhookRecord>> records =
      stores_(caller.tenant).List();
  if (!records.ok()) return records.status();
  std::vector<v1::Webhook> webhooks;
  for (WebhookRecord& record : *records) {
    webhooks.push_back(std::move(record.webhook));
  }
  const std::string last = TakePage(
      std::move(webhooks), *page,
      [](const v1::Webhook& w) -> const std::string& { return w.webhook_id(); },
      [](const v1::Webhook&) { return true; }, response->mutable_webhooks());
  response->set_next_page_token(NextPageToken(kWebhooksToken, last));
  return absl::OkStatus();
}

absl::Status WebhookService::UpdateWebhook(
    const Caller& caller, const v1::UpdateWebhookRequest& request,
    v1::UpdateWebhookResponse* response) {
  const v1::Webhook& patch = request.webhook();
  if (auto s = ValidateSlug("webhook.webhook_id", patch.webhook_id());
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateUpdateMask<v1::Webhook>(
          request.update_mask(),
          {"webhook_id", "state", "status", "create_time", "update_time"});
      !s.ok()) {
    return s;
  }
  WebhookStore& store = stores_(caller.tenant);
  absl::Status last;
  // Read, merge, compare-and-set; a concurrent change makes us merge again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<WebhookRecord> before = store.Get(patch.webhook_id());
    if (!before.ok()) return before.status();
    v1::Webhook after = HrFields(before->webhook);
    if (request.update_mask().paths().empty()) {
      after = HrFields(patch);
    } else {
      google::protobuf::util::FieldMaskUtil::MergeOptions options;
      options.set_replace_repeated_fields(true);
      google::protobuf::util::FieldMaskUtil::MergeMessageTo(
          patch, request.update_mask(), options, &after);
    }
    after.set_webhook_id(patch.webhook_id());
    if (auto s = Validate(after, "webhook"); !s.ok()) return s;
    absl::StatusOr<WebhookRecord> updated = store.Update(after, before->version);
    last = updated.status();
    if (absl::IsAborted(last)) continue;
    if (!updated.ok()) return last;
    audit_->Record(caller, "WEBHOOK_UPDATED", patch.webhook_id(),
                   &before->webhook, &updated->webhook);
    *response->mutable_webhook() = updated->webhook;
    return absl::OkStatus();
  }
  return last;
}

absl::Status WebhookService::DeleteWebhook(
    const Caller& caller, const v1::DeleteWebhookRequest& request,
    v1::DeleteWebhookResponse*) {
  if (auto s = ValidateSlug("webhook_id", request.webhook_id()); !s.ok()) {
    return s;
  }
  WebhookStore& store = stores_(caller.tenant);
  absl::StatusOr<WebhookRecord> before = store.Get(request.webhook_id());
  if (!before.ok()) return before.status();
  if (auto s = store.Delete(request.webhook_id()); !s.ok()) return s;
  audit_->Record(caller, "WEBHOOK_DELETED", request.webhook_id(),
                 &before->webhook, nullptr);
  return absl::OkStatus();
}

absl::Status WebhookService::RotateWebhookSecret(
    const Caller& caller, const v1::RotateWebhookSecretRequest& request,
    v1::RotateWebhookSecretResponse* response) {
  if (auto s = ValidateSlug("webhook_id", request.webhook_id()); !s.ok()) {
    return s;
  }
  const absl::Duration keep_old =
      request.keep_old_seconds() == 0
          ? kDefaultKeepOld
          : absl::Seconds(request.keep_old_seconds());
  if (keep_old < absl::ZeroDuration() || keep_old > kMaxKeepOld) {
    return InvalidField("keep_old_seconds",
                        absl::StrCat("must be 0 to ",
                                     absl::ToInt64Seconds(kMaxKeepOld),
                                     ", got ", request.keep_old_seconds()));
  }
  absl::StatusOr<std::string> secret = SecretOf(request.secret());
  if (!secret.ok()) return secret.status();
  absl::StatusOr<WebhookRecord> rotated =
      stores_(caller.tenant).Rotate(request.webhook_id(), *secret, keep_old);
  if (!rotated.ok()) return rotated.status();
  audit_->Record(caller, "WEBHOOK_SECRET_ROTATED", request.webhook_id(),
                 nullptr, nullptr);
  *response->mutable_webhook() = rotated->webhook;
  response->set_secret(*secret);
  return absl::OkStatus();
}

absl::Status WebhookService::ListDeliveries(
    const Caller& caller, const v1::ListDeliveriesRequest& request,
    v1::ListDeliveriesResponse* response) {
  if (auto s = ValidateSlug("webhook_id", request.webhook_id()); !s.ok()) {
    return s;
  }
  if (request.page_size() < 0 || request.page_size() > 100) {
    return InvalidField("page_size", absl::StrCat("must be 0 to 100, got ",
                                                  request.page_size()));
  }
  const char* kind = request.failed_only() ? kDeadToken : kDeliveriesToken;
  absl::StatusOr<PageRequest> page = ReadPageRequest(kind, request);
  if (!page.ok()) return page.status();
  if (!page->cursor.empty() && !IsStreamId(page->cursor)) {
    return InvalidField("page_token", "is malformed");
  }
  const int limit = request.page_size() == 0 ? 20 : request.page_size();
  WebhookStore& store = stores_(caller.tenant);
  absl::StatusOr<WebhookRecord> record = store.Get(request.webhook_id());
  if (!record.ok()) return record.status();
  std::string last;
  absl::StatusOr<std::vector<v1::Delivery>> deliveries =
      request.failed_only()
          ? store.DeadLetters(request.webhook_id(), page->cursor, limit, &last)
          : store.Attempts(request.webhook_id(), page->cursor, limit, &last);
  if (!deliveries.ok()) return deliveries.status();
  for (v1::Delivery& delivery : *deliveries) {
    *response->add_deliveries() = std::move(delivery);
  }
  response->set_next_page_token(NextPageToken(kind, last));
  return absl::OkStatus();
}

absl::Status WebhookService::RedeliverNotification(
    const Caller& caller, const v1::RedeliverNotificationRequest& request,
    v1::RedeliverNotificationResponse*) {
  if (auto s = ValidateSlug("webhook_id", request.webhook_id()); !s.ok()) {
    return s;
  }
  if (!IsStreamId(request.notification_id())) {
    return InvalidField("notification_id", "is not a notification id");
  }
  if (auto s = stores_(caller.tenant)
                   .Redeliver(request.webhook_id(), request.notification_id());
      !s.ok()) {
    return s;
  }
  audit_->Record(caller, "NOTIFICATION_REDELIVERED",
                 absl::StrCat(request.webhook_id(), "/",
                              request.notification_id()),
                 nullptr, nullptr);
  return absl::OkStatus();
}

}  // namespace plaudit
