#include "services/auth/api_key.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "openssl/crypto.h"
#include "openssl/rand.h"
#include "openssl/sha.h"

namespace plaudit {
namespace {

constexpr char kPrefix[] = "plk";

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return absl::BytesToHexString(raw);
}

std::string SaltedHash(absl::string_view salt, absl::string_view secret) {
  const std::string input = absl::StrCat(salt, ":", secret);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         digest);
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH));
}

bool IsHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return !text.empty();
}

}  // namespace

absl::StatusOr<PresentedKey> ParseBearer(absl::string_view header) {
  if (!absl::ConsumePrefix(&header, "Bearer ")) {
    return absl::UnauthenticatedError(
        "authorization: expected \"Bearer plk.<tenant>.<key_id>.<secret>\"");
  }
  const std::vector<std::string> parts = absl::StrSplit(header, '.');
  if (parts.size() != 4 || parts[0] != kPrefix || parts[1].empty() ||
      parts[1].size() > 64 || !IsHex(parts[2]) || !IsHex(parts[3])) {
    return absl::UnauthenticatedError("authorization: not a Plaudit API key");
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
  key.secret = absl::StrCat(kPrefix, ".", tenant, ".", key.record.key_id(), ".",
                            secret);
  return key;
}

bool SecretMatches(const v1::ApiKey& record, absl::string_view secret) {
  const std::string hash = SaltedHash(record.salt(), secret);
  return hash.size() == record.secret_sha256().size() &&
         CRYPTO_memcmp(hash.data(), record.secret_sha256().data(), hash.size()) == 0;
}

}  // namespace plaudit
