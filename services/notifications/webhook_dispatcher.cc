#include "services/notifications/webhook_dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "services/http/json_writer.h"
#include "services/notifications/webhook_signature.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"
#include "services/store/stream_id.h"

namespace plaudit {
namespace {

constexpr int kReadBatch = 100;

int64_t Ms(absl::Time t) { return absl::ToUnixMillis(t); }

std::string ReplicaName() {
  char host[64] = "host";
  gethostname(host, sizeof(host) - 1);
  absl::BitGen random;
  return absl::StrCat(host, "-", getpid(), "-",
                      absl::Uniform<uint32_t>(random));
}

// The fields of a stream entry, by name.
std::string Field(const RedisValue& entry, absl::string_view name) {
  if (entry.elements.size() != 2) return "";
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str == name) return fields[i + 1].str;
  }
  return "";
}

}  // namespace

// A notification on its way to one endpoint.
struct WebhookDispatcher::Letter {
  std::string id;
  int64_t at_ms = 0;
  std::string kind, users, groups, payload;  // as the outbox keeps them
  v1::Notification notification;
  std::string dead_member;  // a dead letter being delivered again
  bool deleted = false;     // its entry was deleted (an erasure)
  int attempts = 0;         // by this replica

  // As the dead letters keep it (see DeadLetterFromJson).
  std::string DeadJson(const std::string& error, int attempts, int status,
                       absl::Time now) const {
    std::string json = "{";
    auto add = [&](const char* name, const std::string& value) {
      if (json.size() > 1) json.push_back(',');
      AppendJsonString(name, &json);
      json.push_back(':');
      AppendJsonString(value, &json);
    };
    add("n", id);
    add("k", kind);
    add("u", users);
    add("g", groups);
    add("at", absl::StrCat(at_ms));
    add("p", payload);
    add("e", error);
    add("a", absl::StrCat(attempts));
    add("s", absl::StrCat(status));
    add("d", absl::StrCat(Ms(now)));
    json.push_back('}');
    return json;
  }
};

struct WebhookDispatcher::Endpoint {
  std::string tenant;
  std::string id;
  KeySchema keys{""};
  WebhookRecord record;
  NotificationFilter filter;
  std::string key, old_key;  // secret bytes
  bool held = false;
  absl::Time renew_at = absl::InfinitePast();
  std::deque<Letter> queue;
  std::vector<std::string> acks;  // skipped entries, acknowledged in a batch
  bool in_flight = false;
  // Whether to look in Redis: for what a previous holder left (after the
  // lease is taken), for new entries (after the feed saw some).
  bool recover = true;
  bool maybe_new = true;
  int failures = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
  int last_status = 0;
};

class WebhookDispatcher::Waker final : public OutboxFeed::Listener {
 public:
  Waker(WebhookDispatcher* dispatcher, std::string tenant)
      : dispatcher_(dispatcher), tenant_(std::move(tenant)) {}
  void OnAppended() override { dispatcher_->Wake(tenant_); }

 private:
  WebhookDispatcher* const dispatcher_;
  const std::string tenant_;
};

WebhookDispatcher::WebhookDispatcher(RedisClient* redis, OutboxFeed* feed,
                                     Clock clock,
                                     WebhookDispatcherOptions options)
    : redis_(redis),
      feed_(feed),
      clock_(std::move(clock)),
      options_(std::move(options)),
      replica_(options_.replica.empty() ? ReplicaName() : options_.replica),
      sender_(options_.sender),
      thread_([this] { Loop(); }) {}

WebhookDispatcher::~WebhookDispatcher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  for (auto& [tenant, waker] : wakers_) feed_->Unsubscribe(tenant, waker.get());
}

void WebhookDispatcher::Wake(const std::string& tenant) {
  absl::MutexLock lock(&mu_);
  grown_.insert(tenant);
}

void WebhookDispatcher::Loop() {
  for (;;) {
    std::deque<std::pair<Key, WebhookResult>> results;
    std::set<std::string> grown;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](WebhookDispatcher* d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(d->mu_) {
                return d->stopping_ || !d->grown_.empty() ||
                       !d->results_.empty();
              },
              this),
          options_.tick);
      if (stopping_) return;
      grown.swap(grown_);
      results.swap(results_);
    }
    for (auto& [key, endpoint] : endpoints_) {
      if (grown.count(key.first) > 0) endpoint->maybe_new = true;
    }
    for (auto& [key, result] : results) OnResult(key, std::move(result));
    if (absl::Now() >= next_refresh_) {
      Refresh();
      next_refresh_ = absl::Now() + options_.refresh;
    }
    const absl::Time now = clock_();
    for (auto& [key, endpoint] : endpoints_) Step(*endpoint, now);
  }
}

void WebhookDispatcher::Refresh() {
  absl::StatusOr<RedisValue> tenants =
      redis_->Run({"SMEMBERS", KeySchema::WebhookTenants()});
  if (!tenants.ok()) return;  // Redis away: try again at the next refresh
  std::set<Key> seen;
  for (const RedisValue& tenant : tenants->elements) {
    WebhookStore store(redis_, KeySchema(tenant.str), tenant.str, clock_);
    absl::StatusOr<std::vector<WebhookRecord>> records = store.List();
    if (!records.ok()) return;
    for (WebhookRecord& record : *records) {
      const Key key{tenant.str, record.webhook.webhook_id()};
      seen.insert(key);
      std::unique_ptr<Endpoint>& endpoint = endpoints_[key];
      if (endpoint == nullptr) {
        endpoint = std::make_unique<Endpoint>();
        endpoint->tenant = tenant.str;
        endpoint->id = record.webhook.webhook_id();
        endpoint->keys = KeySchema(tenant.str);
        if (wakers_.count(tenant.str) == 0) {
          auto waker = std::make_shared<Waker>(this, tenant.str);
          feed_->Subscribe(tenant.str, waker);
          wakers_[tenant.str] = std::move(waker);
        }
      }
      Endpoint& e = *endpoint;
      if (record.webhook.disabled()) {
        e.held = false;
        e.queue.clear();
      }
      // While this replica delivers, its own count is the truth.
      if (!e.held) {
        e.failures = record.webhook.status().consecutive_failures();
        e.next_attempt_ms = record.next_attempt_ms;
      }
      e.filter = {"", {record.webhook.kinds().begin(),
                       record.webhook.kinds().end()},
                  record.webhook.group()};
      e.key = WebhookSecretKey("secret", record.secret).value_or("");
      e.old_key = WebhookSecretKey("secret", record.old_secret).value_or("");
      e.record = std::move(record);
    }
  }
  // Deleted endpoints are forgotten (a delivery in flight finds it gone).
  for (auto it = endpoints_.begin(); it != endpoints_.end();) {
    if (seen.count(it->first) == 0 && !it->second->in_flight) {
      it = endpoints_.erase(it);
    } else {
      ++it;
    }
  }
}

bool WebhookDispatcher::HoldLease(Endpoint& e, absl::Time now) {
  if (e.held && now < e.renew_at) return true;
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_, {&LeaseScript(),
                {e.keys.WebhookLease(e.id)},
                {replica_, absl::StrCat(Ms(now)),
                 absl::StrCat(absl::ToInt64Milliseconds(options_.lease))}});
  const bool held = reply.ok() && reply->elements.at(0).integer == 1;
  if (held && !e.held) {
    // Taken over: the holder's count and backoff go on from Redis, and
    // what it left is claimed.
    e.failures = e.record.webhook.status().consecutive_failures();
    e.next_attempt_ms = e.record.next_attempt_ms;
    e.queue.clear();
    e.recover = e.maybe_new = true;
  }
  if (!held) e.queue.clear();
  e.held = held;
  e.renew_at = now + options_.lease / 3;
  return held;
}

void WebhookDispatcher::Step(Endpoint& e, absl::Time now) {
  if (e.record.webhook.disabled() || e.in_flight || e.key.empty()) return;
  if (!HoldLease(e, now)) return;
  if (e.next_attempt_ms > Ms(now)) return;
  if (e.queue.empty() || e.queue.front().dead_member.empty()) {
    TakeRedelivery(e);
  }
  for (;;) {
    if (e.queue.empty()) {
      FlushAcks(e);
      if (!Fill(e)) return;
    }
    Letter& letter = e.queue.front();
    if (letter.dead_member.empty() &&
        (letter.deleted ||
         !e.filter.Accepts(letter.notification, letter.groups))) {
      e.acks.push_back(letter.id);
      e.queue.pop_front();
      continue;
    }
    if (letter.dead_member.empty() &&
        now - absl::FromUnixMillis(letter.at_ms) > options_.retry_for) {
      DeadLetter(e, letter, now);
      e.queue.pop_front();
      continue;
    }
    FlushAcks(e);
    return Send(e, now);
  }
}

// Reads what this endpoint has to deliver, in order: entries this replica
// read and did not settle, then those a dead holder left (claimed), then
// new ones.
bool WebhookDispatcher::Fill(Endpoint& e) {
  const std::string group = absl::StrCat("wh:", e.id);
  const std::string outbox = e.keys.Outbox();
  const std::string count = absl::StrCat(kReadBatch);
  auto read = [&](const RedisCommand& command, bool claim) -> bool {
    RedisReplies replies = redis_->RunPipeline({command}, Writes::kUncachedOnly);
    if (!replies.ok() || replies->front().is_error()) return false;
    const RedisValue& reply = replies->front();
    const std::vector<RedisValue>* entries = nullptr;
    if (claim) {
      if (reply.elements.size() >= 2) entries = &reply.elements[1].elements;
    } else if (!reply.elements.empty() &&
               reply.elements[0].elements.size() == 2) {
      entries = &reply.elements[0].elements[1].elements;
    }
    if (entries == nullptr) return false;
    for (const RedisValue& entry : *entries) {
      Letter letter;
      letter.id = entry.elements.empty() ? "" : entry.elements[0].str;
      if (letter.id.empty()) continue;
      letter.deleted = entry.elements.size() < 2 || entry.elements[1].is_nil();
      if (!letter.deleted) {
        absl::StatusOr<v1::Notification> notification =
            ParseNotification(e.tenant, entry, &letter.groups);
        letter.deleted = !notification.ok();
        if (notification.ok()) letter.notification = *std::move(notification);
        letter.kind = Field(entry, "k");
        letter.users = Field(entry, "u");
        letter.at_ms = ParseInteger(Field(entry, "at"));
        letter.payload = Field(entry, "p");
      }
      e.queue.push_back(std::move(letter));
    }
    return !e.queue.empty();
  };
  if (e.recover) {
    if (read({"XREADGROUP", "GROUP", group, replica_, "COUNT", count,
              "STREAMS", outbox, "0"},
             false) ||
        read({"XAUTOCLAIM", outbox, group, replica_, "0", "0-0", "COUNT",
              count},
             true)) {
      return true;
    }
    e.recover = false;
  }
  if (!e.maybe_new) return false;
  if (read({"XREADGROUP", "GROUP", group, replica_, "COUNT", count, "STREAMS",
            outbox, ">"},
           false)) {
    return true;
  }
  e.maybe_new = false;
  return false;
}

void WebhookDispatcher::TakeRedelivery(Endpoint& e) {
  absl::StatusOr<RedisValue> next = redis_->Run(
      {"LPOP", e.keys.WebhookRedeliver(e.id)}, Writes::kUncachedOnly);
  if (!next.ok() || next->is_nil()) return;
  const std::optional<StreamId> id = StreamId::Parse(next->str);
  if (!id.has_value()) return;
  const std::string ms = absl::StrCat(id->ms);
  absl::StatusOr<RedisValue> members = redis_->Run(
      {"ZRANGEBYSCORE", e.keys.WebhookDead(e.id), ms, ms});
  if (!members.ok()) return;
  for (const RedisValue& member : members->elements) {
    absl::StatusOr<v1::Delivery> letter =
        DeadLetterFromJson(e.tenant, member.str);
    if (!letter.ok() || letter->notification_id() != next->str) continue;
    Letter redelivery;
    redelivery.id = next->str;
    redelivery.kind = letter->kind();
    redelivery.at_ms = id->ms;
    redelivery.notification = letter->notification();
    redelivery.dead_member = member.str;
    e.queue.push_front(std::move(redelivery));
    return;
  }
}

void WebhookDispatcher::FlushAcks(Endpoint& e) {
  if (e.acks.empty()) return;
  RedisCommand ack = {"XACK", e.keys.Outbox(), absl::StrCat("wh:", e.id)};
  ack.insert(ack.end(), e.acks.begin(), e.acks.end());
  e.acks.clear();
  (void)redis_->RunPipeline({std::move(ack)}, Writes::kUncachedOnly);
}

void WebhookDispatcher::Send(Endpoint& e, absl::Time now) {
  const Letter& letter = e.queue.front();
  WebhookRequest request;
  request.url = e.record.webhook.url();
  AppendJson(letter.notification, &request.body);
  const int64_t timestamp = absl::ToUnixSeconds(now);
  std::string signatures = SignWebhook(e.key, letter.id, timestamp, request.body);
  // While a secret is rotated, the old one signs too.
  if (!e.old_key.empty() && e.record.old_secret_until_ms > Ms(now)) {
    absl::StrAppend(&signatures, " ",
                    SignWebhook(e.old_key, letter.id, timestamp, request.body));
  }
  request.headers = {"Content-Type: application/json",
                     absl::StrCat("webhook-id: ", letter.id),
                     absl::StrCat("webhook-timestamp: ", timestamp),
                     absl::StrCat("webhook-signature: ", signatures)};
  e.in_flight = true;
  const Key key{e.tenant, e.id};
  sender_.Post(std::move(request), [this, key](WebhookResult result) {
    absl::MutexLock lock(&mu_);
    results_.emplace_back(key, std::move(result));
  });
}

absl::Duration WebhookDispatcher::Backoff(int failures) {
  absl::Duration delay = options_.first_retry;
  for (int i = 1; i < failures && delay < options_.max_retry; ++i) delay *= 2;
  delay = std::min(delay, options_.max_retry);
  // Jitter: endpoints that failed together do not all come back at once.
  return delay * absl::Uniform(random_, 0.5, 1.0);
}

void WebhookDispatcher::OnResult(const Key& key, WebhookResult result) {
  auto it = endpoints_.find(key);
  if (it == endpoints_.end()) return;
  Endpoint& e = *it->second;
  e.in_flight = false;
  if (e.queue.empty()) return;
  const absl::Time now = clock_();
  const bool redelivery = !e.queue.front().dead_member.empty();
  Letter& sent = e.queue.front();
  ++sent.attempts;
  const Letter letter_now = sent;
  if (result.delivered()) {
    Settle(e, letter_now, now, "delivered", result, 0, !redelivery);
    e.failures = 0;
    e.next_attempt_ms = 0;
    if (!e.queue.empty()) e.queue.pop_front();
    return;
  }
  if (result.http_status == 410) {
    result.error = "410 Gone: the receiver asked for no more deliveries";
    Settle(e, letter_now, now, "gone", result, 0, false);
    e.record.webhook.set_disabled(true);
    e.queue.clear();
    e.held = false;
    return;
  }
  ++e.failures;
  e.last_error = result.Describe();
  e.last_status = result.http_status;
  const int64_t next = Ms(now + Backoff(e.failures));
  e.next_attempt_ms = next;
  Settle(e, letter_now, now, "failed", result, next, false);
  // A dead letter tried again and failed stays dead.
  if (redelivery && !e.queue.empty()) e.queue.pop_front();
}

void WebhookDispatcher::DeadLetter(Endpoint& e, const Letter& letter,
                                   absl::Time now) {
  WebhookResult result;
  result.http_status = e.last_status;
  result.error = e.last_error.empty()
                     ? "not delivered within the retry period"
                     : e.last_error;
  Settle(e, letter, now, "dead", result, 0, true);
}

void WebhookDispatcher::Settle(Endpoint& e, const Letter& letter,
                               absl::Time now, const std::string& outcome,
                               const WebhookResult& result,
                               int64_t next_attempt_ms, bool ack) {
  std::string dead = letter.dead_member;
  if (outcome == "dead") {
    dead = letter.DeadJson(result.Describe(), letter.attempts,
                           result.http_status, now);
  }
  const std::optional<StreamId> id = StreamId::Parse(letter.id);
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_,
      {&WebhookSettleScript(),
       {e.keys.Webhook(e.id), e.keys.Outbox()},
       {e.keys.prefix(), e.id, replica_, absl::StrCat(Ms(now)), outcome,
        letter.id, letter.kind, absl::StrCat(letter.attempts),
        absl::StrCat(result.http_status), result.Describe(),
        absl::StrCat(next_attempt_ms), dead,
        absl::StrCat(id.has_value() ? id->ms : 0), ack ? "1" : ""}});
  if (reply.ok() && reply->str == "LOST") {
    e.held = false;
    e.queue.clear();
    return;
  }
  if (!reply.ok()) {
    LOG_EVERY_N(WARNING, 100) << "webhook " << e.tenant << "/" << e.id
                              << ": recording a delivery: " << reply.status();
  }
  if (options_.observer != nullptr) {
    options_.observer->OnDelivery(e.tenant, e.id, outcome,
                                  now - absl::FromUnixMillis(letter.at_ms));
  }
}

}  // namespace plaudit
