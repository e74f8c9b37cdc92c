// API keys: those of the keys file (bootstrap: the first admin key) and those
// created through KeyService, kept per tenant in Redis.
#ifndef PLAUDIT_SERVICES_AUTH_KEY_STORE_H_
#define PLAUDIT_SERVICES_AUTH_KEY_STORE_H_

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "plaudit/v1/key_service.pb.h"
#include "services/auth/api_key.h"
#include "services/store/redis_client.h"

namespace plaudit {

class KeyStore {
 public:
  KeyStore(RedisClient* redis, const v1::KeyFile& file);

  // The key record (revoked ones too), or nullopt when there is none.
  absl::StatusOr<std::optional<v1::ApiKey>> Find(const std::string& tenant,
                                                 const std::string& key_id);
  absl::Status Save(const v1::ApiKey& key);
  // A new key of `tenant`, saved; its secret is in the answer only.
  absl::StatusOr<NewKey> Issue(const std::string& tenant, v1::Role role,
                               const std::string& name, absl::Time now);
  // Keys of the keys file too (a revocation mark in Redis outranks it).
  absl::StatusOr<v1::ApiKey> Revoke(const std::string& tenant,
                                    const std::string& key_id);
  // Bumped by every revocation in this process: verified keys cached before
  // it are checked again.
  uint64_t revocations() const { return revocations_.load(); }
  // The tenant's keys, without salts and hashes.
  absl::StatusOr<std::vector<v1::ApiKey>> List(const std::string& tenant);

 private:
  RedisClient* redis_;
  absl::flat_hash_map<std::string, v1::ApiKey> file_keys_;  // tenant.key_id
  std::atomic<uint64_t> revocations_{0};
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_KEY_STORE_H_
