#include "services/auth/api_key.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "openssl/crypto.h"
#include "openssl/rand.h"
#include "openssl/sha.h"
#include "services/common/error_reason.h"

namespace plaudit {
namespace {

constexpr char kPrefix[] = "plk";

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  // Without good randomness there is no safe key: stop rather than go on.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()),
                 static_cast<int>(bytes)) != 1) {
    std::abort();
  }
  return absl::BytesToHexString(raw);
}

constexpr size_t kKeyIdHex = 16;
constexpr size_t kSecretHex = 48;

std::string SaltedHash(absl::string_view salt, absl::string_view secret) {
  const std::string input = absl::StrCat(salt, ":", secret);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         digest);
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH));
}

bool IsLowerHex(absl::string_view text, size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) &&
        (c < 'a' || c > 'f')) {
      return false;
    }
  }
  return true;
}

// A tenant as tenants are named (a slug): nothing that could reach into
// another tenant's keys ("{", "}", ":").
bool IsSlug(absl::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<PresentedKey> ParseBearer(absl::string_view header) {
  if (!absl::ConsumePrefix(&header, "Bearer ")) {
    return WithReason(
        absl::UnauthenticatedError("authorization: expected \"Bearer "
                                   "plk.<tenant>.<key_id>.<secret>\""),
        "KEY_MALFORMED");
  }
  const std::vector<std::string> parts = absl::StrSplit(header, '.');
  if (parts.size() != 4 || parts[0] != kPrefix || !IsSlug(parts[1]) ||
      !IsLowerHex(parts[2], kKeyIdHex) || !IsLowerHex(parts[3], kSecretHex)) {
    return WithReason(
        absl::UnauthenticatedError("authorization: not a Plaudit API key"),
        "KEY_MALFORMED");
  }
  return PresentedKey{parts[1], parts[2], parts[3]};
}

NewKey GenerateKey(const std::string& tenant, v1::Role role,
                   const std::string& name) {
  NewKey key;
  const std::string secret = RandomHex(24);
  key.record.set_key_id(RandomHex(8));
  key.record.set_tenant(tenant);
  key.record.set_role(role);
  key.record.set_name(name);
  key.record.set_salt(RandomHex(16));
  key.record.set_secret_sha256(SaltedHash(key.record.salt(), secret));
  key.secret =
      absl::StrCat(kPrefix, ".", tenant, ".", key.record.key_id(), ".", secret);
  return key;
}

bool SecretMatches(const v1::ApiKey& record, absl::string_view secret) {
  const std::string hash = SaltedHash(record.salt(), secret);
  return hash.size() == record.secret_sha256().size() &&
         CRYPTO_memcmp(hash.data(), record.secret_sha256().data(),
                       hash.size()) == 0;
}

}  // namespace plaudit
