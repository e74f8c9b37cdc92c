#include "services/notifications/webhook_signature.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

// The Standard Webhooks libraries' own vector (libraries/javascript,
// "sign function works").
TEST(WebhookSignatureTest, SignsAsTheStandardsLibrariesDo) {
  const auto key =
      WebhookSecretKey("secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(SignWebhook(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                        R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignatureTest, MakesUsableSecretsAndRefusesBadOnes) {
  const auto secret = GenerateWebhookSecret();
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->rfind("whsec_", 0), 0u);
  const auto key = WebhookSecretKey("secret", *secret);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->size(), 32u);
  EXPECT_NE(*GenerateWebhookSecret(), *secret);

  for (const char* bad : {"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                          "whsec_c2hvcnQ=",  // 5 bytes
                          "whsec_not base64!"}) {
    const auto refused = WebhookSecretKey("secret", bad);
    EXPECT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().message().rfind("secret:", 0), 0u);
  }
}

}  // namespace
}  // namespace plaudit
