// WebhookService: HR's endpoints, their secrets and deliveries (thin
// adapter over WebhookStore; deliveries are the WebhookDispatcher's).
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SERVICE_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SERVICE_H_

#include "plaudit/v1/webhook_service.grpc.pb.h"
#include "services/audit/audit_log.h"
#include "services/notifications/webhook_store.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

// Endpoints one tenant may have: each is a consumer of every notification.
inline constexpr int kMaxWebhooksPerTenant = 50;

class WebhookService final : public RpcService {
 public:
  // `allow_private`: endpoints may point at private and loopback addresses.
  WebhookService(ForTenant<WebhookStore> stores, CallGate gate,
                 AuditLog* audit, bool allow_private);

  absl::Status CreateWebhook(const Caller& caller,
                             const v1::CreateWebhookRequest& request,
                             v1::CreateWebhookResponse* response);
  absl::Status GetWebhook(const Caller& caller,
                          const v1::GetWebhookRequest& request,
                          v1::GetWebhookResponse* response);
  absl::Status ListWebhooks(const Caller& caller,
                            const v1::ListWebhooksRequest& request,
                            v1::ListWebhooksResponse* response);
  absl::Status UpdateWebhook(const Caller& caller,
                             const v1::UpdateWebhookRequest& request,
                             v1::UpdateWebhookResponse* response);
  absl::Status DeleteWebhook(const Caller& caller,
                             const v1::DeleteWebhookRequest& request,
                             v1::DeleteWebhookResponse* response);
  absl::Status RotateWebhookSecret(
      const Caller& caller, const v1::RotateWebhookSecretRequest& request,
      v1::RotateWebhookSecretResponse* response);
  absl::Status ListDeliveries(const Caller& caller,
                              const v1::ListDeliveriesRequest& request,
                              v1::ListDeliveriesResponse* response);
  absl::Status RedeliverNotification(
      const Caller& caller, const v1::RedeliverNotificationRequest& request,
      v1::RedeliverNotificationResponse* response);

 private:
  // HR's fields of `webhook`, checked (INVALID_ARGUMENT naming
  // `<prefix>.<field>`).
  absl::Status Validate(const v1::Webhook& webhook,
                        const std::string& prefix) const;

  ForTenant<WebhookStore> stores_;
  AuditLog* audit_;
  const bool allow_private_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SERVICE_H_
