// The audit trail: every admin change appended to an append-only Redis
// stream per tenant (who, what, when, before and after). Written right after
// the change succeeded; a trail that cannot be written is logged loudly (the
// change itself stands: it is already in Redis and, for rules, in their
// revision history).
#ifndef PLAUDIT_SERVICES_AUDIT_AUDIT_LOG_H_
#define PLAUDIT_SERVICES_AUDIT_AUDIT_LOG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "plaudit/v1/audit_service.pb.h"
#include "services/common/call_guard.h"
#include "services/common/clock.h"
#include "services/store/redis_client.h"

namespace plaudit {

struct AuditPage {
  std::vector<v1::AuditEvent> events;  // newest first
  std::string last_id;                 // empty when this is the last page
};

class AuditLog {
 public:
  AuditLog(RedisClient* redis, Clock clock)
      : redis_(redis), clock_(std::move(clock)) {}

  // `before` / `after` may be null (a creation, a deletion).
  void Record(const Caller& caller, const std::string& kind,
              const std::string& target,
              const google::protobuf::Message* before,
              const google::protobuf::Message* after);

  // Events of `tenant` older than `before_id` ("" = newest), within
  // [start, end), of `kind` ("" = any).
  absl::StatusOr<AuditPage> List(const std::string& tenant,
                                 const std::string& kind, absl::Time start,
                                 absl::Time end, const std::string& before_id,
                                 int limit);

 private:
  RedisClient* redis_;
  const Clock clock_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUDIT_AUDIT_LOG_H_
