// POSTs webhook deliveries with libcurl's multi interface: one thread for
// every transfer in flight, so an endpoint that hangs costs a socket and a
// timeout, never a thread, and never delays another endpoint. Redirects
// are not followed; TLS is verified; a connection to a private, loopback
// or link-local address is refused (server-side request forgery) unless
// allowed; an answer's body is read up to a bound and dropped.
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SENDER_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SENDER_H_

#include <sys/socket.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/clock.h"

namespace plaudit {

struct WebhookRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  // Signed as it goes (Standard Webhooks: webhook-timestamp and
  // webhook-signature, one per key), so a late one of a line is not stale:
  // its id and the keys (secret bytes) that sign it. No keys: sent as is.
  std::string signing_id;
  std::vector<std::string> signing_keys;
};

struct WebhookResult {
  int http_status = 0;  // 0: no answer came
  std::string error;    // why not, when no answer came
  absl::Duration elapsed;

  bool delivered() const { return http_status >= 200 && http_status < 300; }
  // "HTTP 503", "timed out", "address not allowed: 10.0.0.7".
  std::string Describe() const;
};

struct WebhookSenderOptions {
  absl::Duration timeout = absl::Seconds(10);  // a whole attempt
  absl::Duration connect_timeout = absl::Seconds(5);
  bool allow_private = false;  // private and loopback targets
  size_t max_response_bytes = 64 << 10;
  int max_in_flight = 512;  // transfers at once; more wait
  Clock clock = SystemClock();  // the time signed deliveries carry
};

class WebhookSender {
 public:
  explicit WebhookSender(WebhookSenderOptions options);
  // Transfers still in flight end with "stopping".
  ~WebhookSender();

  // `done` runs on the sender's thread: quick, never waiting.
  void Post(WebhookRequest request, std::function<void(WebhookResult)> done);
  // Posts `requests` one after another, each as soon as the one before was
  // answered 2xx, and stops at the first that is not: one endpoint's line,
  // in order, with no hop between two deliveries. `done(i, result)` for
  // each one sent, in order, on the sender's thread; `last` says nothing
  // more of this line will be sent.
  using ChainDone =
      std::function<void(size_t index, WebhookResult result, bool last)>;
  void PostInOrder(std::vector<WebhookRequest> requests, ChainDone done);

 private:
  struct Chain;
  struct Transfer;
  void Loop();
  void Queue(std::unique_ptr<Transfer> transfer);
  void Start(std::unique_ptr<Transfer> transfer);
  void Finish(Transfer* transfer, int curl_code);

  const WebhookSenderOptions options_;
  void* multi_;  // CURLM*
  absl::Mutex mu_;
  std::deque<std::unique_ptr<Transfer>> queued_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<Transfer*> active_;  // the sender's thread's only
  std::thread thread_;
};

// Whether a webhook may connect to `address`: not loopback, private,
// link-local, carrier-grade NAT, multicast or unspecified (nor such an
// IPv4 address inside IPv6).
bool IsPublicAddress(const sockaddr* address);

// A webhook's URL, checked: http or https, a host, no user name or
// password; an IP-literal host must be public unless `allow_private`.
// INVALID_ARGUMENT naming `field`.
absl::Status CheckWebhookUrl(absl::string_view field, const std::string& url,
                             bool allow_private);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_SENDER_H_
