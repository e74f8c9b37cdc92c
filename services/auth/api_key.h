// API keys: "plk.<tenant>.<key_id>.<secret>". Only a salted SHA-256 of the
// secret is ever stored; checks compare in constant time.
#ifndef PLAUDIT_SERVICES_AUTH_API_KEY_H_
#define PLAUDIT_SERVICES_AUTH_API_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plaudit/v1/key_service.pb.h"

namespace plaudit {

struct PresentedKey {
  std::string tenant;
  std::string key_id;
  std::string secret;
};

// Parses the value of an "authorization" header ("Bearer plk....").
absl::StatusOr<PresentedKey> ParseBearer(absl::string_view header);

// A new key of `tenant` with `role`: the stored record (salt and hash
// filled) and the full key string to hand out once.
struct NewKey {
  v1::ApiKey record;
  std::string secret;
};
NewKey GenerateKey(const std::string& tenant, v1::Role role,
                   const std::string& name);

// Whether `secret` matches the record's salted hash.
bool SecretMatches(const v1::ApiKey& record, absl::string_view secret);

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_AUTH_API_KEY_H_
