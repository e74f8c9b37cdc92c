#include "services/notifications/webhook_dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "google/protobuf/util/time_util.h"
#include "services/http/json_writer.h"
#include "services/notifications/webhook_signature.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"
#include "services/store/stream_id.h"

namespace plaudit {
namespace {

constexpr int kReadBatch = 100;
// Notifications handed to the sender as one line (sent one after another,
// stopping at the first failure).
constexpr size_t kLine = 64;
// Entries read ahead at a time, while the line goes out.
constexpr int kReadAhead = 500;

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
  std::string broken;       // why its entry is not a notification
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
  std::deque<Letter> sent;  // the line out, in order (in_flight)
  std::vector<std::string> acks;  // skipped entries, acknowledged in a batch
  // Delivered, recorded in a batch (webhook_delivered.lua): id, kind,
  // attempt, status, dead letter.
  std::vector<std::string> delivered;
  int delivered_count = 0;
  absl::Time first_delivered = absl::InfinitePast();  // real time
  bool in_flight = false;
  // Whether to look in Redis: for what a previous holder left (after the
  // lease is taken), for new entries (after the feed saw some).
  bool recover = true;
  bool maybe_new = true;
  bool reading = false;   // a read ahead is out
  uint64_t wakes = 0;     // feed wakes seen (a read ahead that comes back
                          // short clears maybe_new only if none came since)
  bool redeliveries = false;  // dead letters asked for again (Refresh)
  // Deliveries being recorded (async): failures wait for them, so that
  // the endpoint's state is written in order.
  std::shared_ptr<std::atomic<int>> recording =
      std::make_shared<std::atomic<int>>(0);
  // Set when Redis may have taken what it did not answer (a read ahead, an
  // ack, a record): entries then wait in this consumer's pending list, and
  // are read from there again, in order.
  std::shared_ptr<std::atomic<bool>> unsure =
      std::make_shared<std::atomic<bool>>(false);
  absl::Time created;  // HR's create time: a new endpoint of the same id
  int failures = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
  int last_status = 0;
};

// The feed may call a listener it took just before the dispatcher went
// away: the dispatcher detaches its wakers first.
class WebhookDispatcher::Waker final : public OutboxFeed::Listener {
 public:
  Waker(WebhookDispatcher* dispatcher, std::string tenant)
      : dispatcher_(dispatcher), tenant_(std::move(tenant)) {}
  void OnAppended() override {
    absl::MutexLock lock(&mu_);
    if (dispatcher_ != nullptr) dispatcher_->Wake(tenant_);
  }
  void Detach() {
    absl::MutexLock lock(&mu_);
    dispatcher_ = nullptr;
  }

 private:
  absl::Mutex mu_;
  WebhookDispatcher* dispatcher_ ABSL_GUARDED_BY(mu_);
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
      sender_([&] {
        WebhookSenderOptions sender = options_.sender;
        sender.clock = clock_;
        return sender;
      }()),
      thread_([this] { Loop(); }) {}

WebhookDispatcher::~WebhookDispatcher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  for (auto& [tenant, waker] : wakers_) {
    waker->Detach();
    feed_->Unsubscribe(tenant, waker.get());
  }
  // Reads ahead answer within the Redis timeout (or fail at once when its
  // client stops).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (reading_.load() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
}

void WebhookDispatcher::Wake(const std::string& tenant) {
  absl::MutexLock lock(&mu_);
  grown_.insert(tenant);
}

void WebhookDispatcher::Loop() {
  for (bool stopping = false; !stopping;) {
    std::deque<Result> results;
    std::deque<ReadAheadDone> reads;
    std::set<std::string> grown;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](WebhookDispatcher* d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(d->mu_) {
                return d->stopping_ || !d->grown_.empty() ||
                       d->results_due_ || !d->reads_.empty();
              },
              this),
          options_.tick);
      stopping = stopping_;
      grown.swap(grown_);
      results.swap(results_);
      results_due_ = false;
      reads.swap(reads_);
    }
    if (stopping) {
      // Record what was delivered; what is in flight comes again later.
      for (auto& [key, endpoint] : endpoints_) {
        RecordDelivered(*endpoint, clock_());
      }
      return;
    }
    for (auto& [key, endpoint] : endpoints_) {
      if (grown.count(key.first) > 0) {
        endpoint->maybe_new = true;
        ++endpoint->wakes;
      }
    }
    for (ReadAheadDone& read : reads) {
      auto it = endpoints_.find(read.key);
      if (it == endpoints_.end()) continue;
      Endpoint& e = *it->second;
      e.reading = false;
      if (!read.ok) {
        // It may have read (and so taken) entries whose answer was lost.
        e.unsure->store(true);
        continue;
      }
      if (read.letters.size() < static_cast<size_t>(kReadAhead) &&
          e.wakes == read.wakes) {
        e.maybe_new = false;
      }
      // A lease lost (and taken again) meanwhile: those come again.
      if (!e.held || e.recover) continue;
      for (auto& letter : read.letters) e.queue.push_back(std::move(letter));
    }
    for (Result& result : results) {
      OnResult(result.key, std::move(result.result), result.last);
    }
    if (absl::Now() >= next_refresh_) {
      Refresh();
      next_refresh_ = absl::Now() + options_.refresh;
    }
    const absl::Time now = clock_();
    for (auto& [key, endpoint] : endpoints_) {
      Step(*endpoint, now);
      // Deliveries are recorded a hundred at a time, or when the line is
      // empty, or after a little while.
      Endpoint& e = *endpoint;
      if (e.delivered_count >= kReadBatch ||
          (e.delivered_count > 0 &&
           (!e.in_flight || absl::Now() - e.first_delivered >
                                absl::Milliseconds(20)))) {
        RecordDelivered(e, now);
      }
    }
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
      const absl::Time created = absl::FromUnixMillis(
          google::protobuf::util::TimeUtil::TimestampToMilliseconds(
              record.webhook.create_time()));
      if (e.created != absl::Time() && e.created != created) {
        // Deleted and made again under the same id: nothing carries over.
        e.held = false;
        e.queue.clear();
        e.recover = e.maybe_new = true;
      }
      e.created = created;
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
    // Dead letters asked for again.
    std::vector<RedisCommand> waiting;
    std::vector<Endpoint*> of;
    for (const Key& key : seen) {
      if (key.first != tenant.str) continue;
      Endpoint* e = endpoints_[key].get();
      waiting.push_back({"LLEN", e->keys.WebhookRedeliver(e->id)});
      of.push_back(e);
    }
    if (waiting.empty()) continue;
    RedisReplies lengths = redis_->RunPipeline(std::move(waiting));
    if (!lengths.ok()) continue;
    for (size_t i = 0; i < of.size(); ++i) {
      if ((*lengths)[i].integer > 0) of[i]->redeliveries = true;
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
  if (e.record.webhook.disabled() || e.key.empty()) return;
  // Held while a line is out too: a slow receiver must not lose it.
  if (!HoldLease(e, now) || e.in_flight) return;
  if (e.unsure->exchange(false)) {
    e.queue.clear();
    e.recover = true;
  }
  if (e.next_attempt_ms > Ms(now)) return;
  if (e.redeliveries &&
      (e.queue.empty() || e.queue.front().dead_member.empty())) {
    TakeRedelivery(e);
  }
  if (e.recover && e.queue.empty() && !e.reading && !Recover(e)) {
    e.recover = false;
  }
  if (!e.recover && e.queue.size() < kReadAhead) ReadAhead(e);
  // A line of what is due, in order; a redelivery goes alone.
  while (e.sent.size() < kLine && !e.queue.empty() && e.held) {
    Letter& letter = e.queue.front();
    if (!letter.dead_member.empty()) {
      if (e.sent.empty()) {
        e.sent.push_back(std::move(letter));
        e.queue.pop_front();
      }
      break;
    }
    if (letter.deleted ||
        (letter.broken.empty() &&
         !e.filter.Accepts(letter.notification, letter.groups))) {
      e.acks.push_back(letter.id);
      e.queue.pop_front();
      continue;
    }
    if (!letter.broken.empty() ||
        now - absl::FromUnixMillis(letter.at_ms) > options_.retry_for) {
      const Letter dead = std::move(letter);
      e.queue.pop_front();
      DeadLetter(e, dead, now);  // may lose the lease: the loop checks held
      continue;
    }
    e.sent.push_back(std::move(letter));
    e.queue.pop_front();
  }
  FlushAcks(e);
  if (!e.sent.empty() && e.held) Send(e, now);
}

// The letters of XREADGROUP / XAUTOCLAIM entries.
std::vector<WebhookDispatcher::Letter> WebhookDispatcher::ParseLetters(
    const std::string& tenant, const RedisValue& reply, bool claim) {
  std::vector<Letter> letters;
  const std::vector<RedisValue>* entries = nullptr;
  if (claim) {
    if (reply.elements.size() >= 2) entries = &reply.elements[1].elements;
  } else if (!reply.elements.empty() &&
             reply.elements[0].elements.size() == 2) {
    entries = &reply.elements[0].elements[1].elements;
  }
  if (entries == nullptr) return letters;
  for (const RedisValue& entry : *entries) {
    Letter letter;
    letter.id = entry.elements.empty() ? "" : entry.elements[0].str;
    if (letter.id.empty()) continue;
    // An entry deleted since (an erasure) comes without fields.
    letter.deleted = entry.elements.size() < 2 || entry.elements[1].is_nil();
    if (!letter.deleted) {
      absl::StatusOr<v1::Notification> notification =
          ParseNotification(tenant, entry, &letter.groups);
      if (notification.ok()) {
        letter.notification = *std::move(notification);
      } else {
        letter.broken = std::string(notification.status().message());
      }
      letter.kind = Field(entry, "k");
      letter.users = Field(entry, "u");
      letter.at_ms = ParseInteger(Field(entry, "at"));
      letter.payload = Field(entry, "p");
    }
    letters.push_back(std::move(letter));
  }
  return letters;
}

// After the lease was taken: what this replica read and did not settle,
// then what a dead holder left (claimed), in order. False when nothing is.
bool WebhookDispatcher::Recover(Endpoint& e) {
  // Its own unacknowledged entries come back with "0": record those
  // delivered first.
  RecordDelivered(e, clock_());
  WaitForRecords(e);
  const std::string group = absl::StrCat("wh:", e.id);
  const std::string outbox = e.keys.Outbox();
  const std::string count = absl::StrCat(kReadBatch);
  for (bool claim : {false, true}) {
    RedisCommand read =
        claim ? RedisCommand{"XAUTOCLAIM", outbox, group, replica_, "0", "0-0",
                             "COUNT", count}
              : RedisCommand{"XREADGROUP", "GROUP", group, replica_, "COUNT",
                             count, "STREAMS", outbox, "0"};
    RedisReplies replies = redis_->RunPipeline({read}, Writes::kUncachedOnly);
    if (!replies.ok() || replies->front().is_error()) return true;  // again
    for (Letter& letter : ParseLetters(e.tenant, replies->front(), claim)) {
      e.queue.push_back(std::move(letter));
    }
    if (!e.queue.empty()) return true;
  }
  return false;
}

// New entries, read while the line goes out (without waiting for them).
void WebhookDispatcher::ReadAhead(Endpoint& e) {
  if (e.reading || !e.maybe_new) return;
  e.reading = true;
  reading_.fetch_add(1);
  const Key key{e.tenant, e.id};
  const uint64_t wakes = e.wakes;
  redis_->Send(
      {{"XREADGROUP", "GROUP", absl::StrCat("wh:", e.id), replica_, "COUNT",
        absl::StrCat(kReadAhead), "STREAMS", e.keys.Outbox(), ">"}},
      [this, key, wakes](RedisReplies replies) {
        ReadAheadDone done{key, wakes, replies.ok() && !replies->front().is_error(), {}};
        if (done.ok) done.letters = ParseLetters(key.first, replies->front(), false);
        {
          absl::MutexLock lock(&mu_);
          reads_.push_back(std::move(done));
        }
        reading_.fetch_sub(1);
      },
      Writes::kUncachedOnly);
}

void WebhookDispatcher::TakeRedelivery(Endpoint& e) {
  absl::StatusOr<RedisValue> next = redis_->Run(
      {"LPOP", e.keys.WebhookRedeliver(e.id)}, Writes::kUncachedOnly);
  if (!next.ok()) return;
  if (next->is_nil()) {
    e.redeliveries = false;
    return;
  }
  absl::StatusOr<std::optional<DeadLetterEntry>> found =
      FindDeadLetter(*redis_, e.keys, e.tenant, e.id, next->str);
  if (!found.ok() || !found->has_value()) return;
  DeadLetterEntry& dead = **found;
  Letter redelivery;
  redelivery.id = next->str;
  redelivery.kind = dead.delivery.kind();
  redelivery.at_ms = StreamId::Parse(next->str)->ms;
  redelivery.notification = std::move(*dead.delivery.mutable_notification());
  redelivery.dead_member = std::move(dead.member);
  e.queue.push_front(std::move(redelivery));
}

void WebhookDispatcher::FlushAcks(Endpoint& e) {
  if (e.acks.empty()) return;
  RedisCommand ack = {"XACK", e.keys.Outbox(), absl::StrCat("wh:", e.id)};
  ack.insert(ack.end(), e.acks.begin(), e.acks.end());
  e.acks.clear();
  // Not waited for: one that is lost is read again, and skipped again.
  redis_->Send(
      {std::move(ack)},
      [unsure = e.unsure](RedisReplies replies) {
        if (!replies.ok() || replies->front().is_error()) unsure->store(true);
      },
      Writes::kUncachedOnly);
}

void WebhookDispatcher::Send(Endpoint& e, absl::Time now) {
  // While a secret is rotated, the old one signs too.
  std::vector<std::string> keys = {e.key};
  if (!e.old_key.empty() && e.record.old_secret_until_ms > Ms(now)) {
    keys.push_back(e.old_key);
  }
  std::vector<WebhookRequest> line;
  line.reserve(e.sent.size());
  for (const Letter& letter : e.sent) {
    WebhookRequest request;
    request.url = e.record.webhook.url();
    AppendJson(letter.notification, &request.body);
    request.headers = {"Content-Type: application/json",
                       absl::StrCat("webhook-id: ", letter.id)};
    request.signing_id = letter.id;
    request.signing_keys = keys;
    line.push_back(std::move(request));
  }
  e.in_flight = true;
  const Key key{e.tenant, e.id};
  sender_.PostInOrder(std::move(line), [this, key](size_t, WebhookResult result,
                                                   bool last) {
    absl::MutexLock lock(&mu_);
    results_.push_back({key, std::move(result), last});
    // The loop wakes for a line's end (the next line waits on it) or a
    // pile of results; the rest it takes at its next tick.
    if (last || results_.size() >= 64) results_due_ = true;
  });
}

absl::Duration WebhookDispatcher::Backoff(int failures) {
  absl::Duration delay = options_.first_retry;
  for (int i = 1; i < failures && delay < options_.max_retry; ++i) delay *= 2;
  delay = std::min(delay, options_.max_retry);
  // Jitter: endpoints that failed together do not all come back at once.
  return delay * absl::Uniform(random_, 0.5, 1.0);
}

void WebhookDispatcher::OnResult(const Key& key, WebhookResult result,
                                 bool last) {
  auto it = endpoints_.find(key);
  if (it == endpoints_.end()) return;
  Endpoint& e = *it->second;
  if (last) e.in_flight = false;
  if (e.sent.empty()) return;  // the lease was lost meanwhile
  const absl::Time now = clock_();
  // Results come in the line's order.
  Letter letter = std::move(e.sent.front());
  e.sent.pop_front();
  ++letter.attempts;
  const bool redelivery = !letter.dead_member.empty();
  if (result.delivered()) {
    if (e.delivered_count++ == 0) e.first_delivered = absl::Now();
    e.delivered.insert(e.delivered.end(),
                       {letter.id, letter.kind, absl::StrCat(letter.attempts),
                        absl::StrCat(result.http_status), letter.dead_member});
    e.failures = 0;
    e.next_attempt_ms = 0;
    if (options_.observer != nullptr) {
      options_.observer->OnDelivery(e.tenant, e.id, "delivered",
                                    now - absl::FromUnixMillis(letter.at_ms));
    }
    return;
  }
  // The line stopped here: what it did not send goes back in front, in
  // order, behind this one (which a dead letter tried again leaves: it
  // stays dead).
  while (!e.sent.empty()) {
    e.queue.push_front(std::move(e.sent.back()));
    e.sent.pop_back();
  }
  if (!redelivery) e.queue.push_front(letter);
  // What succeeded before is recorded before this failure.
  RecordDelivered(e, now);
  WaitForRecords(e);
  if (result.http_status == 410) {
    result.error = "410 Gone: the receiver asked for no more deliveries";
    Settle(e, letter, now, "gone", result, 0, false);
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
  Settle(e, letter, now, "failed", result, next, false);
}

void WebhookDispatcher::RecordDelivered(Endpoint& e, absl::Time now) {
  if (e.delivered_count == 0) return;
  std::vector<std::string> args = {e.keys.prefix(), e.id, replica_,
                                   absl::StrCat(Ms(now)),
                                   absl::StrCat(e.delivered_count)};
  args.insert(args.end(), std::make_move_iterator(e.delivered.begin()),
              std::make_move_iterator(e.delivered.end()));
  e.delivered.clear();
  e.delivered_count = 0;
  // Not waited for (a failure's record waits, see WaitForRecords).
  e.recording->fetch_add(1);
  RunScriptsAsync(
      *redis_,
      {{&WebhookDeliveredScript(),
        {e.keys.Webhook(e.id), e.keys.Outbox()},
        std::move(args)}},
      [recording = e.recording, unsure = e.unsure,
       where = absl::StrCat(e.tenant, "/", e.id)](RedisReplies replies) {
        if (!replies.ok()) {
          // Unacknowledged: read again, and delivered again.
          LOG_EVERY_N(WARNING, 100) << "webhook " << where
                                    << ": recording deliveries: "
                                    << replies.status();
          unsure->store(true);
        }
        recording->fetch_sub(1);
      });
}

void WebhookDispatcher::WaitForRecords(Endpoint& e) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (e.recording->load() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Microseconds(200));
  }
}

void WebhookDispatcher::DeadLetter(Endpoint& e, const Letter& letter,
                                   absl::Time now) {
  WebhookResult result;
  result.http_status = e.last_status;
  result.error = !letter.broken.empty() ? "not a notification: " + letter.broken
                 : e.last_error.empty() ? "not delivered within the retry period"
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
    e.sent.clear();
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
