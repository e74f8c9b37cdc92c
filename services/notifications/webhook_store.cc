#include "services/notifications/webhook_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/error_reason.h"
#include "services/notifications/notification_codec.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"
#include "services/store/stream_id.h"

namespace plaudit {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp AtMs(int64_t ms) {
  return TimeUtil::MillisecondsToTimestamp(ms);
}

absl::Status NotFound(const std::string& id) {
  return WithReason(
      absl::NotFoundError(absl::StrCat("webhook ", id, " does not exist")),
      "WEBHOOK_NOT_FOUND", {{"webhook_id", id}});
}

std::string Ms(absl::Time t) { return absl::StrCat(absl::ToUnixMillis(t)); }

RedisValue Text(std::string text) {
  RedisValue value;
  value.kind = RedisValue::Kind::kString;
  value.str = std::move(text);
  return value;
}

v1::Delivery::Outcome OutcomeOf(const std::string& text) {
  if (text == "delivered") return v1::Delivery::DELIVERED;
  if (text == "dead") return v1::Delivery::DEAD;
  return v1::Delivery::FAILED;  // failed, gone
}

}  // namespace

WebhookRecord WebhookFromHash(const std::string& id,
                              const std::vector<RedisValue>& fields) {
  WebhookRecord record;
  v1::Webhook& w = record.webhook;
  w.set_webhook_id(id);
  int failures = 0;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str;
    const std::string& value = fields[i + 1].str;
    const int64_t number = ParseInteger(value);
    if (name == "url") w.set_url(value);
    if (name == "kinds") {
      for (absl::string_view kind : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
        w.add_kinds(std::string(kind));
      }
    }
    if (name == "group") w.set_group(value);
    if (name == "description") w.set_description(value);
    if (name == "disabled") w.set_disabled(value == "1");
    if (name == "created") *w.mutable_create_time() = AtMs(number);
    if (name == "updated") *w.mutable_update_time() = AtMs(number);
    if (name == "version") record.version = number;
    if (name == "secret") record.secret = value;
    if (name == "old_secret") record.old_secret = value;
    if (name == "old_until") record.old_secret_until_ms = number;
    if (name == "failures") failures = static_cast<int>(number);
    if (name == "next_at") record.next_attempt_ms = number;
    if (name == "last_error") w.mutable_status()->set_last_error(value);
    if (name == "disabled_reason") {
      w.mutable_status()->set_disabled_reason(value);
    }
    if (name == "last_ok" && number > 0) {
      *w.mutable_status()->mutable_last_success_time() = AtMs(number);
    }
    if (name == "last_fail" && number > 0) {
      *w.mutable_status()->mutable_last_failure_time() = AtMs(number);
    }
  }
  w.mutable_status()->set_consecutive_failures(failures);
  if (record.next_attempt_ms > 0 && failures > 0) {
    *w.mutable_status()->mutable_next_attempt_time() =
        AtMs(record.next_attempt_ms);
  }
  w.set_state(w.disabled()                        ? v1::Webhook::DISABLED
              : failures >= kPausedAfterFailures ? v1::Webhook::PAUSED
              : failures > 0                     ? v1::Webhook::RETRYING
                                                 : v1::Webhook::ACTIVE);
  return record;
}

absl::StatusOr<v1::Delivery> DeadLetterFromJson(const std::string& tenant,
                                                const std::string& json) {
  google::protobuf::Struct letter;
  if (!google::protobuf::util::JsonStringToMessage(json, &letter).ok()) {
    return absl::InternalError("a dead letter is not JSON");
  }
  const auto& f = letter.fields();
  auto text = [&](const char* name) -> std::string {
    const auto it = f.find(name);
    return it == f.end() ? "" : it->second.string_value();
  };
  RedisValue entry;
  entry.kind = RedisValue::Kind::kArray;
  RedisValue fields;
  fields.kind = RedisValue::Kind::kArray;
  for (const char* name : {"k", "u", "g", "at", "p"}) {
    fields.elements.push_back(Text(name));
    fields.elements.push_back(Text(text(name)));
  }
  entry.elements = {Text(text("n")), std::move(fields)};
  std::string groups;
  absl::StatusOr<v1::Notification> notification =
      ParseNotification(tenant, entry, &groups);
  if (!notification.ok()) return notification.status();
  v1::Delivery delivery;
  delivery.set_notification_id(notification->id());
  delivery.set_kind(notification->kind());
  delivery.set_outcome(v1::Delivery::DEAD);
  delivery.set_attempt(static_cast<int32_t>(ParseInteger(text("a"))));
  delivery.set_http_status(static_cast<int32_t>(ParseInteger(text("s"))));
  delivery.set_error(text("e"));
  *delivery.mutable_time() = AtMs(ParseInteger(text("d")));
  *delivery.mutable_notification() = *std::move(notification);
  return delivery;
}

WebhookStore::WebhookStore(RedisClient* redis, KeySchema keys,
                           std::string tenant, Clock clock)
    : redis_(redis),
      keys_(std::move(keys)),
      tenant_(std::move(tenant)),
      clock_(std::move(clock)) {}

absl::StatusOr<WebhookRecord> WebhookStore::Get(const std::string& id) {
  absl::StatusOr<RedisValue> fields = redis_->Run({"HGETALL", keys_.Webhook(id)});
  if (!fields.ok()) return fields.status();
  if (fields->elements.empty()) return NotFound(id);
  return WebhookFromHash(id, fields->elements);
}

absl::StatusOr<std::vector<WebhookRecord>> WebhookStore::List() {
  absl::StatusOr<RedisValue> ids = redis_->Run({"SMEMBERS", keys_.Webhooks()});
  if (!ids.ok()) return ids.status();
  std::vector<std::string> sorted;
  for (const RedisValue& id : ids->elements) sorted.push_back(id.str);
  std::sort(sorted.begin(), sorted.end());
  std::vector<RedisCommand> reads;
  for (const std::string& id : sorted) reads.push_back({"HGETALL", keys_.Webhook(id)});
  std::vector<WebhookRecord> records;
  if (reads.empty()) return records;
  RedisReplies replies = redis_->RunPipeline(std::move(reads));
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < sorted.size(); ++i) {
    const RedisValue& fields = (*replies)[i];
    if (fields.is_error()) return RedisErrorStatus(fields.str);
    if (fields.elements.empty()) continue;  // deleted meanwhile
    records.push_back(WebhookFromHash(sorted[i], fields.elements));
  }
  return records;
}

absl::StatusOr<WebhookRecord> WebhookStore::Write(
    const std::string& id, std::vector<std::string> args) {
  absl::StatusOr<RedisValue> reply = RunScript(
      *redis_, {&WebhookWriteScript(),
                {keys_.Webhook(id), keys_.Webhooks(), keys_.Outbox()},
                std::move(args)});
  if (!reply.ok()) return reply.status();
  const std::string& status = reply->elements.at(0).str;
  if (status == "EXISTS") {
    return WithReason(absl::AlreadyExistsError(absl::StrCat(
                          "webhook ", id, " exists already")),
                      "WEBHOOK_EXISTS", {{"webhook_id", id}});
  }
  if (status == "NOT_FOUND") return NotFound(id);
  if (status == "CHANGED") {
    return WithReason(absl::AbortedError(absl::StrCat(
                          "webhook ", id,
                          " was changed by another call meanwhile: read it "
                          "and try again")),
                      "CONCURRENT_CHANGE");
  }
  return WebhookRecord{};
}

absl::StatusOr<WebhookRecord> WebhookStore::Create(const v1::Webhook& w,
                                                   const std::string& secret) {
  const std::string& id = w.webhook_id();
  absl::StatusOr<WebhookRecord> written = Write(
      id, {"create", keys_.prefix(), id, Ms(clock_()), w.url(),
           absl::StrJoin(w.kinds(), " "), w.group(), w.description(),
           w.disabled() ? "1" : "", secret});
  if (!written.ok()) return written.status();
  // Replicas look for endpoints in the tenants listed here.
  if (absl::Status s = redis_
                           ->Run({"SADD", KeySchema::WebhookTenants(), tenant_},
                                 Writes::kUncachedOnly)
                           .status();
      !s.ok()) {
    return s;
  }
  return Get(id);
}

absl::StatusOr<WebhookRecord> WebhookStore::Update(const v1::Webhook& w,
                                                   int64_t version) {
  const std::string& id = w.webhook_id();
  absl::StatusOr<WebhookRecord> written = Write(
      id, {"update", keys_.prefix(), id, Ms(clock_()), absl::StrCat(version),
           w.url(), absl::StrJoin(w.kinds(), " "), w.group(), w.description(),
           w.disabled() ? "1" : ""});
  if (!written.ok()) return written.status();
  return Get(id);
}

absl::Status WebhookStore::Delete(const std::string& id) {
  return Write(id, {"delete", keys_.prefix(), id, Ms(clock_())}).status();
}

absl::StatusOr<WebhookRecord> WebhookStore::Rotate(const std::string& id,
                                                   const std::string& secret,
                                                   absl::Duration keep_old) {
  const absl::Time now = clock_();
  absl::StatusOr<WebhookRecord> written =
      Write(id, {"rotate", keys_.prefix(), id, Ms(now), secret,
                 Ms(now + keep_old)});
  if (!written.ok()) return written.status();
  return Get(id);
}

absl::StatusOr<std::vector<v1::Delivery>> WebhookStore::Attempts(
    const std::string& id, const std::string& before, int limit,
    std::string* last) {
  absl::StatusOr<RedisValue> entries = redis_->Run(
      {"XREVRANGE", keys_.WebhookLog(id),
       before.empty() ? "+" : absl::StrCat("(", before), "-", "COUNT",
       absl::StrCat(limit + 1)});
  if (!entries.ok()) return entries.status();
  std::vector<v1::Delivery> deliveries;
  last->clear();
  for (const RedisValue& entry : entries->elements) {
    if (static_cast<int>(deliveries.size()) == limit) {
      *last = entry.elements.at(0).str;  // not taken: the next page's first
      break;
    }
    v1::Delivery delivery;
    const auto& fields = entry.elements.at(1).elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      const std::string& name = fields[i].str;
      const std::string& value = fields[i + 1].str;
      if (name == "n") delivery.set_notification_id(value);
      if (name == "k") delivery.set_kind(value);
      if (name == "o") delivery.set_outcome(OutcomeOf(value));
      if (name == "a") delivery.set_attempt(static_cast<int32_t>(ParseInteger(value)));
      if (name == "s") delivery.set_http_status(static_cast<int32_t>(ParseInteger(value)));
      if (name == "e") delivery.set_error(value);
      if (name == "at") *delivery.mutable_time() = AtMs(ParseInteger(value));
    }
    deliveries.push_back(std::move(delivery));
  }
  // The cursor names the last entry taken: the next page starts below it.
  if (!last->empty() && !deliveries.empty()) {
    *last = entries->elements.at(deliveries.size() - 1).elements.at(0).str;
  }
  return deliveries;
}

absl::StatusOr<std::vector<v1::Delivery>> WebhookStore::DeadLetters(
    const std::string& id, const std::string& before, int limit,
    std::string* last) {
  // Members of equal scores come in member order; the cursor is a score
  // (notification ms) and the letters of that score already given are
  // skipped by id.
  absl::StatusOr<RedisValue> members = redis_->Run(
      {"ZREVRANGE", keys_.WebhookDead(id), "0", "-1"});
  if (!members.ok()) return members.status();
  std::vector<v1::Delivery> letters;
  for (const RedisValue& member : members->elements) {
    absl::StatusOr<v1::Delivery> letter = DeadLetterFromJson(tenant_, member.str);
    if (!letter.ok()) continue;
    letters.push_back(*std::move(letter));
  }
  std::sort(letters.begin(), letters.end(),
            [](const v1::Delivery& a, const v1::Delivery& b) {
              return StreamIdLess(b.notification_id(), a.notification_id());
            });
  std::vector<v1::Delivery> page;
  last->clear();
  for (v1::Delivery& letter : letters) {
    if (!before.empty() && !StreamIdLess(letter.notification_id(), before)) {
      continue;
    }
    if (static_cast<int>(page.size()) == limit) {
      *last = page.back().notification_id();
      break;
    }
    page.push_back(std::move(letter));
  }
  return page;
}

absl::StatusOr<std::optional<DeadLetterEntry>> FindDeadLetter(
    RedisClient& redis, const KeySchema& keys, const std::string& tenant,
    const std::string& id, const std::string& notification_id) {
  const std::optional<StreamId> at = StreamId::Parse(notification_id);
  if (!at.has_value()) return std::nullopt;
  const std::string ms = absl::StrCat(at->ms);
  absl::StatusOr<RedisValue> members =
      redis.Run({"ZRANGEBYSCORE", keys.WebhookDead(id), ms, ms});
  if (!members.ok()) return members.status();
  for (const RedisValue& member : members->elements) {
    absl::StatusOr<v1::Delivery> letter = DeadLetterFromJson(tenant, member.str);
    if (letter.ok() && letter->notification_id() == notification_id) {
      return DeadLetterEntry{member.str, *std::move(letter)};
    }
  }
  return std::nullopt;
}

absl::Status WebhookStore::Redeliver(const std::string& id,
                                     const std::string& notification_id) {
  absl::StatusOr<WebhookRecord> record = Get(id);
  if (!record.ok()) return record.status();
  absl::StatusOr<std::optional<DeadLetterEntry>> letter =
      FindDeadLetter(*redis_, keys_, tenant_, id, notification_id);
  if (!letter.ok()) return letter.status();
  if (!letter->has_value()) {
    return WithReason(
        absl::NotFoundError(absl::StrCat("notification ", notification_id,
                                         " is not a dead letter of webhook ",
                                         id)),
        "DEAD_LETTER_NOT_FOUND", {{"notification_id", notification_id}});
  }
  return redis_
      ->Run({"RPUSH", keys_.WebhookRedeliver(id), notification_id},
            Writes::kUncachedOnly)
      .status();
}

}  // namespace plaudit
