// Reads the engagement counters the scripts write (store/lua/boards_lib.lua)
// for any number of buckets of one scope in one round trip; never scans.
#ifndef PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_STORE_H_
#define PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plaudit/v1/analytics_service.pb.h"
#include "services/store/keys.h"
#include "services/store/redis_client.h"

namespace plaudit {

class EngagementStore {
 public:
  EngagementStore(RedisClient* redis, KeySchema keys)
      : redis_(redis), keys_(std::move(keys)) {}

  struct TeamRead {
    std::vector<v1::TeamMember> members;  // as found, unsorted
    bool truncated = false;
  };
  // The members of `manager`'s team and their points on the bucket's
  // global board. `actor` ("" = an admin) must manage them (NOT_MANAGER).
  absl::StatusOr<TeamRead> Team(const std::string& manager,
                                const std::string& actor,
                                const std::string& bucket_key,
                                bool include_indirect);

  // Figures per bucket key (BucketKey(), e.g. "w:2026-W48"), in order.
  absl::StatusOr<std::vector<v1::EngagementFigures>> Read(
      const std::string& scope, const std::vector<std::string>& bucket_keys);

 private:
  RedisClient* redis_;
  const KeySchema keys_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ANALYTICS_ENGAGEMENT_STORE_H_
