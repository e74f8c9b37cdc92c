#include "services/auth/key_guard.h"

#include "absl/strings/str_cat.h"
#include "openssl/sha.h"
#include "services/auth/api_key.h"

namespace plaudit {
namespace {

// Every method of the API and the least role that may call it. Readers see
// leaderboards, balances and engagement; integrations (portals) also record
// events, sync users, redeem for employees and read the rest; admins (HR)
// everything.
const auto& MethodRoles() {
  static const auto* roles = new absl::flat_hash_map<std::string, Role>{
      {"LeaderboardService/GetLeaderboard", Role::kReader},
      {"LeaderboardService/GetRank", Role::kReader},
      {"LeaderboardService/ListScopes", Role::kReader},
      {"AccountService/GetBalance", Role::kReader},
      {"AccountService/ListTransactions", Role::kReader},
      {"AnalyticsService/GetEngagement", Role::kReader},
      {"AnalyticsService/GetEngagementSeries", Role::kReader},

      {"EventService/RecordEvent", Role::kIntegration},
      {"EventService/RecordEvents", Role::kIntegration},
      {"EventService/RetractEvent", Role::kIntegration},
      {"EventService/StreamEvents", Role::kIntegration},
      {"UserService/UpsertUser", Role::kIntegration},
      {"UserService/ImportUsers", Role::kIntegration},
      {"UserService/GetUser", Role::kIntegration},
      {"RuleService/GetRule", Role::kIntegration},
      {"RuleService/ListRules", Role::kIntegration},
      {"RuleService/ListRuleRevisions", Role::kIntegration},
      {"RewardService/GetReward", Role::kIntegration},
      {"RewardService/ListRewards", Role::kIntegration},
      {"RewardService/Redeem", Role::kIntegration},
      {"RewardService/GetRedemption", Role::kIntegration},
      {"RewardService/ListRedemptions", Role::kIntegration},
      {"RewardService/CancelRedemption", Role::kIntegration},

      {"RuleService/CreateRule", Role::kAdmin},
      {"RuleService/UpdateRule", Role::kAdmin},
      {"RuleService/DeleteRule", Role::kAdmin},
      {"AccountService/AdjustBalance", Role::kAdmin},
      {"LeaderboardService/SetUserVisibility", Role::kAdmin},
      {"RewardService/CreateReward", Role::kAdmin},
      {"RewardService/UpdateReward", Role::kAdmin},
      {"RewardService/ArchiveReward", Role::kAdmin},
      {"RewardService/ApproveRedemption", Role::kAdmin},
      {"RewardService/RejectRedemption", Role::kAdmin},
      {"RewardService/FulfillRedemption", Role::kAdmin},
      {"KeyService/CreateKey", Role::kAdmin},
      {"KeyService/RevokeKey", Role::kAdmin},
      {"KeyService/ListKeys", Role::kAdmin},
      {"AuditService/ListAuditEvents", Role::kAdmin},
  };
  return *roles;
}

// A role this build does not know refuses the key rather than guess.
absl::StatusOr<Role> FromProto(v1::Role role) {
  switch (role) {
    case v1::ADMIN: return Role::kAdmin;
    case v1::INTEGRATION: return Role::kIntegration;
    case v1::READER: return Role::kReader;
    default: return absl::UnauthenticatedError("unknown role");
  }
}

// The raw SHA-256 digest: a cache key that is not the secret itself.
std::string Sha256(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH);
}

std::string Metadata(const grpc::ServerContextBase& context, const char* name) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(name);
  return it == metadata.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace

absl::StatusOr<Role> RequiredRole(absl::string_view method) {
  const auto it = MethodRoles().find(method);
  if (it == MethodRoles().end()) {
    return absl::NotFoundError(absl::StrCat("no role may call ", method));
  }
  return it->second;
}

KeyGuard::KeyGuard(KeyStore* keys, Clock clock, absl::Duration cache_for,
                   RateLimit rate_limit)
    : keys_(keys),
      clock_(std::move(clock)),
      cache_for_(cache_for),
      limiter_(rate_limit) {}

absl::StatusOr<Caller> KeyGuard::Verify(const std::string& bearer) const {
  const absl::Time now = clock_();
  const uint64_t revocations = keys_->revocations();
  // Cached by a hash, so that plaintext secrets do not sit in memory.
  const std::string cache_key = Sha256(bearer);
  {
    absl::MutexLock lock(&mu_);
    const auto it = verified_.find(cache_key);
    if (it != verified_.end() && it->second.until > now &&
        it->second.revocations == revocations) {
      return it->second.caller;
    }
    const auto refused = refused_.find(cache_key);
    if (refused != refused_.end() && refused->second > now) {
      return absl::UnauthenticatedError("authorization: unknown or revoked API key");
    }
  }
  absl::StatusOr<Caller> caller = Lookup(bearer);
  absl::MutexLock lock(&mu_);
  if (verified_.size() > 10'000) verified_.clear();  // bounded memory
  if (refused_.size() > 10'000) refused_.clear();
  if (caller.ok()) {
    verified_[cache_key] = {*caller, now + cache_for_, revocations};
  } else if (absl::IsUnauthenticated(caller.status())) {
    refused_[cache_key] = now + absl::Seconds(1);
  }
  return caller;
}

absl::StatusOr<Caller> KeyGuard::Lookup(const std::string& bearer) const {
  absl::StatusOr<PresentedKey> presented = ParseBearer(bearer);
  if (!presented.ok()) return presented.status();
  absl::StatusOr<std::optional<v1::ApiKey>> record =
      keys_->Find(presented->tenant, presented->key_id);
  const absl::Status refused =
      absl::UnauthenticatedError("authorization: unknown or revoked API key");
  if (!record.ok()) {
    // Redis down is an outage; anything else says nothing to an
    // unauthenticated caller.
    return absl::IsUnavailable(record.status()) ? record.status() : refused;
  }
  if (!record->has_value()) return refused;
  const v1::ApiKey& key = **record;
  absl::StatusOr<Role> role = FromProto(key.role());
  if (key.revoked() || key.tenant() != presented->tenant ||
      key.key_id() != presented->key_id || !role.ok() ||
      !SecretMatches(key, presented->secret)) {
    return refused;
  }
  return Caller{key.key_id(), key.tenant(), *role};
}

absl::StatusOr<Caller> KeyGuard::Admit(const grpc::ServerContextBase& context,
                                       absl::string_view method) const {
  const std::string bearer = Metadata(context, "authorization");
  if (bearer.empty()) {
    return absl::UnauthenticatedError(
        "authorization: an API key is required (Bearer plk....)");
  }
  absl::StatusOr<Caller> caller = Verify(bearer);
  if (!caller.ok()) return caller.status();
  // The tenant comes from the key; a call that names another is refused.
  const std::string named = Metadata(context, "plaudit-tenant");
  if (!named.empty() && named != caller->tenant) {
    return absl::PermissionDeniedError(absl::StrCat(
        "this key belongs to tenant ", caller->tenant, ", not ", named));
  }
  absl::StatusOr<Role> required = RequiredRole(method);
  if (!required.ok()) return absl::PermissionDeniedError(required.status().message());
  if (caller->role < *required) {
    return absl::PermissionDeniedError(
        absl::StrCat("this key's role may not call ", method));
  }
  const absl::Duration wait =
      limiter_.Acquire(absl::StrCat(caller->tenant, ".", caller->key_id), clock_());
  if (wait > absl::ZeroDuration()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "rate limit of key ", caller->key_id, " reached: retry in ",
        absl::ToInt64Milliseconds(wait) + 1, " ms"));
  }
  return caller;
}

}  // namespace plaudit
