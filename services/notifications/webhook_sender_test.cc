#include "services/notifications/webhook_sender.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "gtest/gtest.h"

namespace plaudit {
namespace {

bool Public(const char* text) {
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return IsPublicAddress(reinterpret_cast<sockaddr*>(&v4));
  }
  EXPECT_EQ(inet_pton(AF_INET6, text, &v6.sin6_addr), 1) << text;
  v6.sin6_family = AF_INET6;
  return IsPublicAddress(reinterpret_cast<sockaddr*>(&v6));
}

TEST(WebhookSenderTest, OnlyPublicAddressesAreTargets) {
  for (const char* ok : {"93.184.216.34", "8.8.8.8", "172.32.0.1",
                         "2606:2800:220:1:248:1893:25c8:1946",
                         "64:ff9b::808:808", "2002:808:808::1"}) {
    EXPECT_TRUE(Public(ok)) << ok;
  }
  for (const char* refused :
       {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "192.0.0.8", "198.18.0.1", "64:ff9b::a00:1",
        "64:ff9b::7f00:1", "2002:a00:1::1", "2002:7f00:1::"}) {
    EXPECT_FALSE(Public(refused)) << refused;
  }
}

TEST(WebhookSenderTest, UrlsAreCheckedAndNamedInErrors) {
  EXPECT_TRUE(CheckWebhookUrl("url", "https://hooks.example.com/plaudit", false).ok());
  EXPECT_TRUE(CheckWebhookUrl("url", "http://127.0.0.1:8080/x", true).ok());
  for (const char* bad :
       {"", "ftp://example.com/x", "file:///etc/passwd", "gopher://x",
        "https://user:pw@example.com/", "http://127.0.0.1/x",
        "http://[::1]:80/", "http://localhost:9000/", "http://10.0.0.7/",
        "http://169.254.169.254/latest/meta-data", "not a url"}) {
    const absl::Status status = CheckWebhookUrl("webhook.url", bad, false);
    EXPECT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.message().rfind("webhook.url:", 0), 0u) << status.message();
  }
}

}  // namespace
}  // namespace plaudit
