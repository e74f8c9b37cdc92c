#include "services/notifications/webhook_sender.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"
#include "services/common/validation.h"
#include "services/notifications/webhook_signature.h"

namespace plaudit {
namespace {

// libcurl's global state, once per process.
void InitCurl() {
  static const bool once = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  CHECK(once) << "libcurl did not initialise";
}

bool PublicV4(uint32_t host_order) {
  const uint32_t a = host_order >> 24, b = (host_order >> 16) & 0xff;
  const uint32_t c = (host_order >> 8) & 0xff;
  if (a == 0 || a == 10 || a == 127) return false;       // this, private, loopback
  if (a == 169 && b == 254) return false;                 // link-local
  if (a == 172 && b >= 16 && b <= 31) return false;       // private
  if (a == 192 && b == 168) return false;                 // private
  if (a == 192 && b == 0 && c == 0) return false;         // IETF protocols
  if (a == 198 && (b == 18 || b == 19)) return false;     // benchmarking
  if (a == 100 && b >= 64 && b <= 127) return false;      // carrier-grade NAT
  if (a >= 224) return false;                             // multicast, reserved
  return true;
}

bool PublicV6(const in6_addr& address) {
  const uint8_t* b = address.s6_addr;
  // IPv4 inside IPv6: mapped, compatible, NAT64 (64:ff9b::/96), 6to4
  // (2002::/16, the address in bytes 2 to 5).
  const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff &&
                     b[3] == 0x9b && std::all_of(b + 4, b + 12,
                                                 [](uint8_t x) { return x == 0; });
  if (IN6_IS_ADDR_V4MAPPED(&address) || IN6_IS_ADDR_V4COMPAT(&address) ||
      nat64) {
    return PublicV4((uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) |
                    (uint32_t{b[14]} << 8) | b[15]);
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    return PublicV4((uint32_t{b[2]} << 24) | (uint32_t{b[3]} << 16) |
                    (uint32_t{b[4]} << 8) | b[5]);
  }
  if (IN6_IS_ADDR_UNSPECIFIED(&address) || IN6_IS_ADDR_LOOPBACK(&address) ||
      IN6_IS_ADDR_LINKLOCAL(&address) || IN6_IS_ADDR_SITELOCAL(&address) ||
      IN6_IS_ADDR_MULTICAST(&address)) {
    return false;
  }
  return (b[0] & 0xfe) != 0xfc;  // unique local fc00::/7
}

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr,
              text, sizeof(text));
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6,
              &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

// The request's headers, and its signature as of `now`.
curl_slist* HeadersOf(const WebhookRequest& request, absl::Time now) {
  curl_slist* headers = nullptr;
  for (const std::string& header : request.headers) {
    headers = curl_slist_append(headers, header.c_str());
  }
  if (request.signing_keys.empty()) return headers;
  const int64_t timestamp = absl::ToUnixSeconds(now);
  std::string signatures;
  for (const std::string& key : request.signing_keys) {
    if (!signatures.empty()) signatures.push_back(' ');
    signatures += SignWebhook(key, request.signing_id, timestamp, request.body);
  }
  headers = curl_slist_append(
      headers, absl::StrCat("webhook-timestamp: ", timestamp).c_str());
  return curl_slist_append(
      headers, absl::StrCat("webhook-signature: ", signatures).c_str());
}

}  // namespace

std::string WebhookResult::Describe() const {
  if (http_status != 0) return absl::StrCat("HTTP ", http_status);
  return error.empty() ? "no answer" : error;
}

bool IsPublicAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return PublicV4(
        ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    return PublicV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  }
  return false;
}

absl::Status CheckWebhookUrl(absl::string_view field, const std::string& url,
                             bool allow_private) {
  InitCurl();
  if (url.empty()) return InvalidField(field, "is required");
  if (url.size() > 2048) return InvalidField(field, "is longer than 2048 bytes");
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(),
                                                             curl_url_cleanup);
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return InvalidField(field, "is not a URL");
  }
  auto part = [&](CURLUPart which) -> std::string {
    char* text = nullptr;
    if (curl_url_get(parsed.get(), which, &text, 0) != CURLUE_OK) return "";
    std::string value = text;
    curl_free(text);
    return value;
  };
  const std::string scheme = absl::AsciiStrToLower(part(CURLUPART_SCHEME));
  if (scheme != "https" && scheme != "http") {
    return InvalidField(field, absl::StrCat("must be https:// or http://, got ",
                                            scheme, "://"));
  }
  if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty()) {
    return InvalidField(field, "may not hold a user name or password (the "
                               "signature authenticates deliveries)");
  }
  std::string host = part(CURLUPART_HOST);
  if (host.empty()) return InvalidField(field, "has no host");
  if (allow_private) return absl::OkStatus();
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  const sockaddr* literal = nullptr;
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    literal = reinterpret_cast<const sockaddr*>(&v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    literal = reinterpret_cast<const sockaddr*>(&v6);
  }
  if ((literal != nullptr && !IsPublicAddress(literal)) ||
      absl::AsciiStrToLower(host) == "localhost") {
    return InvalidField(field,
                        absl::StrCat("points at a private or loopback address (",
                                     host,
                                     "); plauditd --webhook_allow_private "
                                     "allows those"));
  }
  return absl::OkStatus();
}

// The rest of a line of requests (PostInOrder).
struct WebhookSender::Chain {
  std::vector<WebhookRequest> requests;
  ChainDone done;
};

// One POST in flight, owned by the sender's thread.
struct WebhookSender::Transfer {
  WebhookRequest request;
  std::function<void(WebhookResult)> done;
  std::shared_ptr<Chain> chain;  // set when this is one of a line,
  size_t index = 0;              // and which one

  // Tells the result, alone or as the line's.
  void Answer(WebhookResult result, bool last) {
    if (chain == nullptr) return done(std::move(result));
    chain->done(index, std::move(result), last);
  }
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  size_t received = 0;
  size_t max_received = 0;
  bool allow_private = false;
  std::string refused;  // the address refused, when one was
  char error[CURL_ERROR_SIZE] = {0};
  absl::Time start;

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (headers != nullptr) curl_slist_free_all(headers);
  }

  // The body of the answer is counted and dropped; past the bound the
  // transfer is cut (its status, if it came, still counts).
  static size_t OnBody(char*, size_t size, size_t n, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    transfer->received += size * n;
    return transfer->received > transfer->max_received ? 0 : size * n;
  }

  // Every connection is checked where it goes, after DNS: a name that
  // resolves to a private address is refused like the address itself.
  static curl_socket_t OnOpenSocket(void* self, curlsocktype,
                                    curl_sockaddr* address) {
    auto* transfer = static_cast<Transfer*>(self);
    if (!transfer->allow_private && !IsPublicAddress(&address->addr)) {
      transfer->refused = AddressText(&address->addr);
      return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
  }
};

WebhookSender::WebhookSender(WebhookSenderOptions options)
    : options_(options) {
  InitCurl();
  multi_ = curl_multi_init();
  CHECK(multi_ != nullptr) << "curl_multi_init failed";
  thread_ = std::thread([this] { Loop(); });
}

WebhookSender::~WebhookSender() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void WebhookSender::Post(WebhookRequest request,
                         std::function<void(WebhookResult)> done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  Queue(std::move(transfer));
}

void WebhookSender::Queue(std::unique_ptr<Transfer> transfer) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queued_.push_back(std::move(transfer));
      transfer = nullptr;
    }
  }
  if (transfer != nullptr) {
    transfer->Answer({0, "stopping", absl::ZeroDuration()}, true);
    return;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void WebhookSender::PostInOrder(std::vector<WebhookRequest> requests,
                                ChainDone done) {
  if (requests.empty()) return;
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(requests[0]);
  transfer->chain = std::make_shared<Chain>();
  transfer->chain->requests = std::move(requests);
  transfer->chain->done = std::move(done);
  Queue(std::move(transfer));
}

void WebhookSender::Start(std::unique_ptr<Transfer> t) {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    t->Answer({0, "cannot make a transfer", absl::ZeroDuration()}, true);
    return;
  }
  t->easy = easy;
  t->max_received = options_.max_response_bytes;
  t->allow_private = options_.allow_private;
  t->start = absl::Now();
  t->headers = HeadersOf(t->request, options_.clock());
  curl_easy_setopt(easy, CURLOPT_URL, t->request.url.c_str());
  // Never through a proxy from the environment: the check of where a
  // connection goes would see the proxy, not the endpoint.
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(t->request.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(
                       absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Transfer::OnOpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, t.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "plaudit-webhooks/1");
  if (curl_multi_add_handle(static_cast<CURLM*>(multi_), easy) != CURLM_OK) {
    t->Answer({0, "cannot start a transfer", absl::ZeroDuration()}, true);
    return;
  }
  active_.insert(t.get());
  t.release();  // owned through active_ until Finish
}

void WebhookSender::Finish(Transfer* raw, int curl_code) {
  std::unique_ptr<Transfer> t(raw);
  active_.erase(raw);
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
  WebhookResult result;
  result.elapsed = absl::Now() - t->start;
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  const auto code = static_cast<CURLcode>(curl_code);
  // A status counts even if the answer's body was cut short.
  if (status != 0 && (code == CURLE_OK || code == CURLE_WRITE_ERROR)) {
    result.http_status = static_cast<int>(status);
  } else if (!t->refused.empty()) {
    result.error = absl::StrCat("address not allowed: ", t->refused);
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    result.error = absl::StrCat("timed out after ",
                                absl::FormatDuration(options_.timeout));
  } else {
    result.error = t->error[0] != '\0' ? t->error : curl_easy_strerror(code);
  }
  if (t->chain == nullptr) return t->done(std::move(result));
  // The next of a line goes at once, on this thread: no hop between two.
  std::shared_ptr<Chain> chain = std::move(t->chain);
  const size_t index = t->index;
  const bool go_on =
      result.delivered() && index + 1 < chain->requests.size();
  chain->done(index, std::move(result), !go_on);
  if (!go_on) return;
  // The same easy handle carries the next: only the request changes.
  t->request = std::move(chain->requests[index + 1]);
  t->chain = std::move(chain);
  t->index = index + 1;
  curl_slist_free_all(t->headers);
  t->headers = HeadersOf(t->request, options_.clock());
  t->received = 0;
  t->refused.clear();
  t->error[0] = '\0';
  t->start = absl::Now();
  CURL* easy = t->easy;
  curl_easy_setopt(easy, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(t->request.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
  if (curl_multi_add_handle(static_cast<CURLM*>(multi_), easy) != CURLM_OK) {
    return t->Answer({0, "cannot start a transfer", absl::ZeroDuration()},
                     true);
  }
  active_.insert(t.release());
}

void WebhookSender::Loop() {
  auto* multi = static_cast<CURLM*>(multi_);
  for (;;) {
    std::deque<std::unique_ptr<Transfer>> starting;
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      stopping = stopping_;
      while (!queued_.empty() &&
             static_cast<int>(active_.size() + starting.size()) <
                 options_.max_in_flight) {
        starting.push_back(std::move(queued_.front()));
        queued_.pop_front();
      }
      if (stopping) starting.insert(starting.end(),
                                    std::make_move_iterator(queued_.begin()),
                                    std::make_move_iterator(queued_.end()));
    }
    if (stopping) {
      for (auto& t : starting) t->Answer({0, "stopping", absl::ZeroDuration()}, true);
      // Abort what is in flight.
      for (Transfer* t : std::exchange(active_, {})) {
        std::unique_ptr<Transfer> owned(t);
        curl_multi_remove_handle(multi, t->easy);
        owned->Answer({0, "stopping", absl::ZeroDuration()}, true);
      }
      return;
    }
    for (auto& t : starting) Start(std::move(t));
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &t);
      Finish(t, message->data.result);
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
}

}  // namespace plaudit
