// Webhook endpoints in Redis: HR's settings and secrets (webhook_write.lua,
// which also makes and drops the endpoint's consumer group on the outbox),
// and what deliveries left: the recent attempts and the dead letters.
#ifndef PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_STORE_H_
#define PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plaudit/v1/webhook_service.pb.h"
#include "services/common/clock.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

// An endpoint as stored: the API's view and what only deliveries see.
struct WebhookRecord {
  v1::Webhook webhook;
  std::string secret;
  std::string old_secret;  // still signs beside the new one until:
  int64_t old_secret_until_ms = 0;
  int64_t version = 0;
  int64_t next_attempt_ms = 0;
};

// Failures in a row after which an endpoint counts as paused.
inline constexpr int kPausedAfterFailures = 5;

class WebhookStore {
 public:
  WebhookStore(RedisClient* redis, KeySchema keys, std::string tenant,
               Clock clock);

  absl::StatusOr<WebhookRecord> Get(const std::string& id);
  // Every endpoint of the tenant, by id.
  absl::StatusOr<std::vector<WebhookRecord>> List();
  // ALREADY_EXISTS when the id is taken.
  absl::StatusOr<WebhookRecord> Create(const v1::Webhook& webhook,
                                       const std::string& secret);
  // HR's fields of `webhook`, if the endpoint is still at `version`
  // (ABORTED when another change came first).
  absl::StatusOr<WebhookRecord> Update(const v1::Webhook& webhook,
                                       int64_t version);
  absl::Status Delete(const std::string& id);
  absl::StatusOr<WebhookRecord> Rotate(const std::string& id,
                                       const std::string& secret,
                                       absl::Duration keep_old);
  // Recent attempts, newest first, before `before` (a log entry id).
  absl::StatusOr<std::vector<v1::Delivery>> Attempts(const std::string& id,
                                                     const std::string& before,
                                                     int limit,
                                                     std::string* last);
  // Dead letters, newest first, with notification ids before `before`.
  absl::StatusOr<std::vector<v1::Delivery>> DeadLetters(
      const std::string& id, const std::string& before, int limit,
      std::string* last);
  // Asks for a dead letter to be delivered again; NOT_FOUND when
  // `notification_id` is not one.
  absl::Status Redeliver(const std::string& id,
                         const std::string& notification_id);

 private:
  absl::StatusOr<WebhookRecord> Write(const std::string& id,
                                      std::vector<std::string> args);

  RedisClient* redis_;
  const KeySchema keys_;
  const std::string tenant_;
  const Clock clock_;
};

// A stored endpoint from its hash's fields (HGETALL's flat list).
WebhookRecord WebhookFromHash(const std::string& id,
                              const std::vector<RedisValue>& fields);

// A dead letter's JSON (the member of webhook-dead:<id>) as a Delivery.
absl::StatusOr<v1::Delivery> DeadLetterFromJson(const std::string& tenant,
                                                const std::string& json);

struct DeadLetterEntry {
  std::string member;  // its JSON, as webhook-dead:<id> holds it
  v1::Delivery delivery;
};
// Webhook `id`'s dead letter of `notification_id`, looked up by its time
// (the letters' score); nullopt when it is none.
absl::StatusOr<std::optional<DeadLetterEntry>> FindDeadLetter(
    RedisClient& redis, const KeySchema& keys, const std::string& tenant,
    const std::string& id, const std::string& notification_id);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_NOTIFICATIONS_WEBHOOK_STORE_H_
