#include "services/notifications/outbox_feed.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/notifications/notification_codec.h"
#include "services/store/keys.h"

namespace plaudit {
namespace {

// How long to wait after Redis failed before reading again.
constexpr absl::Duration kRetryAfterError = absl::Milliseconds(200);

}  // namespace

OutboxFeed::Entries ParseOutboxEntries(const std::string& tenant,
                                       const std::vector<RedisValue>& items) {
  OutboxFeed::Entries entries;
  entries.reserve(items.size());
  for (const RedisValue& item : items) {
    auto entry = std::make_shared<OutboxFeed::Entry>();
    absl::StatusOr<v1::Notification> notification =
        ParseNotification(tenant, item, &entry->groups);
    const std::optional<StreamId> id =
        item.elements.empty() ? std::nullopt
                              : StreamId::Parse(item.elements[0].str);
    if (!notification.ok() || !id.has_value()) {
      LOG(ERROR) << "outbox of " << tenant << ": skipped an entry: "
                 << (notification.ok() ? "no id"
                                       : notification.status().ToString());
      continue;
    }
    entry->id = *id;
    entry->notification = *std::move(notification);
    entries.push_back(std::move(entry));
  }
  return entries;
}

OutboxFeed::OutboxFeed(std::unique_ptr<RedisClient> follower,
                       RedisClient* redis, Options options)
    : follower_(std::move(follower)),
      redis_(redis),
      options_(options),
      thread_([this] { Loop(); }) {}

OutboxFeed::~OutboxFeed() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void OutboxFeed::Subscribe(const std::string& tenant,
                           std::weak_ptr<Listener> listener) {
  absl::MutexLock lock(&mu_);
  Followed& followed = followed_[tenant];
  if (followed.key.empty()) followed.key = KeySchema(tenant).Outbox();
  followed.listeners.push_back(std::move(listener));
}

void OutboxFeed::Unsubscribe(const std::string& tenant,
                             const Listener* listener) {
  absl::MutexLock lock(&mu_);
  auto it = followed_.find(tenant);
  if (it == followed_.end()) return;
  auto& listeners = it->second.listeners;
  listeners.erase(std::remove_if(listeners.begin(), listeners.end(),
                                 [listener](const std::weak_ptr<Listener>& l) {
                                   const auto alive = l.lock();
                                   return alive == nullptr ||
                                          alive.get() == listener;
                                 }),
                  listeners.end());
}

std::optional<OutboxFeed::Entries> OutboxFeed::After(
    const std::string& tenant, const StreamId& cursor, size_t max) const {
  absl::MutexLock lock(&mu_);
  auto it = followed_.find(tenant);
  if (it == followed_.end() || !it->second.started) return std::nullopt;
  const Followed& followed = it->second;
  if (cursor < followed.base) return std::nullopt;
  auto first = std::upper_bound(
      followed.kept.begin(), followed.kept.end(), cursor,
      [](const StreamId& id, const EntryPtr& entry) { return id < entry->id; });
  Entries entries;
  for (; first != followed.kept.end() && entries.size() < max; ++first) {
    entries.push_back(*first);
  }
  return entries;
}

void OutboxFeed::Read(const std::string& tenant, const StreamId& cursor,
                      size_t max,
                      std::function<void(absl::StatusOr<Entries>)> done) const {
  redis_->Send({{"XRANGE", KeySchema(tenant).Outbox(),
                 absl::StrCat("(", cursor.ToString()), "+", "COUNT",
                 absl::StrCat(max)}},
               [tenant, done = std::move(done)](RedisReplies replies) {
                 if (!replies.ok()) return done(replies.status());
                 const RedisValue& reply = replies->front();
                 if (reply.is_error()) return done(RedisErrorStatus(reply.str));
                 done(ParseOutboxEntries(tenant, reply.elements));
               });
}

void OutboxFeed::Loop() {
  for (;;) {
    std::vector<std::string> tenants;
    {
      absl::MutexLock lock(&mu_);
      // Tenants nobody listens to any more are no longer followed.
      for (auto it = followed_.begin(); it != followed_.end();) {
        auto& listeners = it->second.listeners;
        listeners.erase(
            std::remove_if(listeners.begin(), listeners.end(),
                           [](const auto& l) { return l.expired(); }),
            listeners.end());
        if (listeners.empty()) {
          followed_.erase(it++);
        } else {
          tenants.push_back(it->first);
          ++it;
        }
      }
      if (tenants.empty()) {
        mu_.AwaitWithTimeout(
            absl::Condition(
                +[](OutboxFeed* feed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(feed->mu_) {
                  return feed->stopping_ || !feed->followed_.empty();
                },
                this),
            absl::Seconds(1));
      }
      if (stopping_) return;
    }
    if (tenants.empty()) continue;
    Start(tenants);
    Wake(ReadNew(tenants));
  }
}

void OutboxFeed::Start(const std::vector<std::string>& tenants) {
  std::vector<std::string> fresh;
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& tenant : tenants) {
      auto it = followed_.find(tenant);
      if (it != followed_.end() && !it->second.started) fresh.push_back(tenant);
    }
  }
  if (fresh.empty()) return;
  std::vector<RedisCommand> newest;
  for (const std::string& tenant : fresh) {
    newest.push_back(
        {"XREVRANGE", KeySchema(tenant).Outbox(), "+", "-", "COUNT", "1"});
  }
  RedisReplies replies = follower_->RunPipeline(std::move(newest));
  if (!replies.ok()) {
    LOG_EVERY_N(WARNING, 100) << "outbox feed: " << replies.status();
    absl::SleepFor(kRetryAfterError);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < fresh.size(); ++i) {
      auto it = followed_.find(fresh[i]);
      const RedisValue& reply = (*replies)[i];
      if (it == followed_.end() || reply.is_error()) continue;
      StreamId head;
      if (!reply.elements.empty() && !reply.elements[0].elements.empty()) {
        head = StreamId::Parse(reply.elements[0].elements[0].str)
                   .value_or(StreamId());
      }
      it->second.started = true;
      it->second.base = it->second.head = head;
    }
  }
  // Listeners that caught up from Redis before the feed knew the newest id
  // look once more.
  Wake(fresh);
}

std::vector<std::string> OutboxFeed::ReadNew(
    const std::vector<std::string>& tenants) {
  RedisCommand read = {"XREAD", "COUNT", "1000", "BLOCK",
                       absl::StrCat(absl::ToInt64Milliseconds(options_.block)),
                       "STREAMS"};
  std::vector<std::string> ids;
  absl::flat_hash_map<std::string, std::string> tenant_of;  // key -> tenant
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& tenant : tenants) {
      auto it = followed_.find(tenant);
      if (it == followed_.end() || !it->second.started) continue;
      read.push_back(it->second.key);
      ids.push_back(it->second.head.ToString());
      tenant_of[it->second.key] = tenant;
    }
  }
  if (ids.empty()) return {};
  read.insert(read.end(), ids.begin(), ids.end());
  RedisReplies replies = follower_->RunPipeline({std::move(read)});
  if (!replies.ok() || replies->front().is_error()) {
    LOG_EVERY_N(WARNING, 100)
        << "outbox feed: "
        << (replies.ok() ? replies->front().str : replies.status().ToString());
    absl::SleepFor(kRetryAfterError);
    return {};
  }
  std::vector<std::string> grown;
  for (const RedisValue& stream : replies->front().elements) {
    if (stream.elements.size() != 2) continue;
    const auto tenant = tenant_of.find(stream.elements[0].str);
    if (tenant == tenant_of.end()) continue;
    Entries entries = ParseOutboxEntries(tenant->second,
                                         stream.elements[1].elements);
    // The head moves past entries that did not parse, too.
    const auto& raw = stream.elements[1].elements;
    std::optional<StreamId> last;
    if (!raw.empty() && !raw.back().elements.empty()) {
      last = StreamId::Parse(raw.back().elements[0].str);
    }
    absl::MutexLock lock(&mu_);
    auto it = followed_.find(tenant->second);
    if (it == followed_.end()) continue;
    Followed& followed = it->second;
    for (EntryPtr& entry : entries) {
      if (entry->id <= followed.head) continue;
      followed.kept.push_back(std::move(entry));
    }
    if (last.has_value() && followed.head < *last) followed.head = *last;
    while (followed.kept.size() > options_.kept_per_tenant) {
      followed.base = followed.kept.front()->id;
      followed.kept.pop_front();
    }
    grown.push_back(tenant->second);
  }
  return grown;
}

void OutboxFeed::Wake(const std::vector<std::string>& tenants) {
  std::vector<std::shared_ptr<Listener>> listeners;
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& tenant : tenants) {
      auto it = followed_.find(tenant);
      if (it == followed_.end()) continue;
      for (const auto& weak : it->second.listeners) {
        if (auto listener = weak.lock()) listeners.push_back(listener);
      }
    }
  }
  for (const auto& listener : listeners) listener->OnAppended();
}

}  // namespace plaudit
