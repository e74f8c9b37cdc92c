#include "services/notifications/webhook_signature.h"

#include "absl/strings/escaping.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "openssl/hmac.h"
#include "openssl/rand.h"
#include "services/common/validation.h"

namespace plaudit {

absl::StatusOr<std::string> GenerateWebhookSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("no randomness for a webhook secret");
  }
  return absl::StrCat(
      kSecretPrefix,
      absl::Base64Escape(absl::string_view(
          reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

absl::StatusOr<std::string> WebhookSecretKey(absl::string_view field,
                                             absl::string_view secret) {
  std::string key;
  if (!absl::ConsumePrefix(&secret, kSecretPrefix) ||
      !absl::Base64Unescape(secret, &key)) {
    return InvalidField(field,
                        "must be \"whsec_\" followed by base64 (or left empty "
                        "for plauditd to make one)");
  }
  if (key.size() < 24 || key.size() > 64) {
    return InvalidField(field, absl::StrCat("must hold 24 to 64 bytes, got ",
                                            key.size()));
  }
  return key;
}

std::string SignWebhook(absl::string_view key, absl::string_view id,
                        int64_t timestamp_seconds, absl::string_view body) {
  const std::string content = absl::StrCat(id, ".", timestamp_seconds, ".", body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(),
       digest, &length);
  return absl::StrCat(
      "v1,", absl::Base64Escape(absl::string_view(
                 reinterpret_cast<const char*>(digest), length)));
}

}  // namespace plaudit
