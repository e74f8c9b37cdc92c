// The Standard Webhooks signature (https://www.standardwebhooks.com):
// secrets "whsec_" + base64 of 24-64 random bytes; a delivery signed as
// "v1," + base64(HMAC-SHA256(secret bytes, "<id>.<timestamp>.<body>")).
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SIGNATURE_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace plaudit {

inline constexpr char kSecretPrefix[] = "whsec_";

// A new secret of 32 random bytes.
absl::StatusOr<std::string> GenerateWebhookSecret();
// The key bytes of a secret; INVALID_ARGUMENT naming `field` for one that
// is not "whsec_" + base64 of 24 to 64 bytes.
absl::StatusOr<std::string> WebhookSecretKey(absl::string_view field,
                                             absl::string_view secret);
// "v1,<base64 signature>" of one delivery under `key` (secret bytes).
std::string SignWebhook(absl::string_view key, absl::string_view id,
                        int64_t timestamp_seconds, absl::string_view body);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SIGNATURE_H_
