#include "services/auth/key_guard.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "openssl/crypto.h"
#include "openssl/sha.h"
#include "services/auth/api_key.h"
#include "services/common/call_metadata.h"
#include "services/common/error_reason.h"

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
      {"AnalyticsService/GetTeamFigures", Role::kAdmin},
      {"UserService/DeactivateUser", Role::kAdmin},
      {"UserService/ReactivateUser", Role::kAdmin},
      {"UserService/EraseUser", Role::kAdmin},
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
      {"TenantService/GetTenantSettings", Role::kIntegration},
      {"NotificationService/WatchNotifications", Role::kIntegration},
      {"NotificationService/ListNotifications", Role::kIntegration},
      {"NotificationService/MarkNotificationsRead", Role::kIntegration},
      {"TenantService/UpdateTenantSettings", Role::kAdmin},
      {"WebhookService/CreateWebhook", Role::kAdmin},
      {"WebhookService/GetWebhook", Role::kAdmin},
      {"WebhookService/ListWebhooks", Role::kAdmin},
      {"WebhookService/UpdateWebhook", Role::kAdmin},
      {"WebhookService/DeleteWebhook", Role::kAdmin},
      {"WebhookService/RotateWebhookSecret", Role::kAdmin},
      {"WebhookService/ListDeliveries", Role::kAdmin},
      {"WebhookService/RedeliverNotification", Role::kAdmin},
      {"TenantService/CreateTenant", Role::kOperator},
      {"TenantService/ListTenants", Role::kOperator},
  };
  return *roles;
}

// Methods an integration key may also call for a manager: the call's
// plaudit-actor must then manage (directly or up the chain) every user the
// call affects, which the acting script checks.
const auto& ManagerMethods() {
  static const auto* methods = new absl::flat_hash_set<std::string>{
      "AccountService/AdjustBalance",
      "RewardService/ApproveRedemption",
      "RewardService/RejectRedemption",
      "AnalyticsService/GetTeamFigures",
  };
  return *methods;
}

// A role this build does not know refuses the key rather than guess.
absl::StatusOr<Role> FromProto(v1::Role role) {
  switch (role) {
    case v1::OPERATOR:
      return Role::kOperator;
    case v1::ADMIN:
      return Role::kAdmin;
    case v1::INTEGRATION:
      return Role::kIntegration;
    case v1::READER:
      return Role::kReader;
    default:
      return WithReason(absl::UnauthenticatedError("unknown role"),
                        "KEY_REJECTED");
  }
}

// The raw SHA-256 digest: a cache key that is not the secret itself.
std::string Sha256(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest),
                     SHA256_DIGEST_LENGTH);
}

std::string Metadata(const grpc::ServerContextBase& context, const char* name) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(name);
  return it == metadata.end()
             ? ""
             : std::string(it->second.data(), it->second.size());
}

absl::Status Rejected() {
  return WithReason(
      absl::UnauthenticatedError("authorization: unknown or revoked API key"),
      "KEY_REJECTED");
}

// The key id of a bearer that parses, for throttling by key.
std::string KeyIdOf(const std::string& bearer) {
  absl::StatusOr<PresentedKey> presented = ParseBearer(bearer);
  return presented.ok()
             ? absl::StrCat(presented->tenant, ".", presented->key_id)
             : "";
}

}  // namespace

std::string PeerAddress(absl::string_view peer) {
  const size_t bracket = peer.rfind(']');
  const size_t colon = peer.rfind(':');
  if (absl::StartsWith(peer, "ipv6:") && bracket != absl::string_view::npos) {
    return std::string(peer.substr(0, bracket + 1));
  }
  if (absl::StartsWith(peer, "ipv4:") && colon != absl::string_view::npos) {
    return std::string(peer.substr(0, colon));
  }
  return std::string(peer);  // unix sockets, in-process: as they come
}

std::string CallerAddress(const grpc::ServerContextBase& context,
                          const std::string& gateway_token) {
  const std::string token = Metadata(context, "plaudit-gateway");
  if (!gateway_token.empty() && token.size() == gateway_token.size() &&
      CRYPTO_memcmp(token.data(), gateway_token.data(), token.size()) == 0) {
    std::string forwarded = Metadata(context, "plaudit-peer");
    if (!forwarded.empty()) return forwarded;
  }
  return PeerAddress(context.peer());
}

absl::StatusOr<Role> RequiredRole(absl::string_view method) {
  const auto it = MethodRoles().find(method);
  if (it == MethodRoles().end()) {
    return absl::NotFoundError(absl::StrCat("no role may call ", method));
  }
  return it->second;
}

bool ManagerMayCall(absl::string_view method) {
  return ManagerMethods().contains(method);
}

KeyGuard::KeyGuard(KeyStore* keys, Clock clock, KeyGuardOptions options,
                   Metrics* metrics)
    : keys_(keys),
      clock_(std::move(clock)),
      options_(options),
      metrics_(metrics),
      limiter_(options.rate_limit),
      peer_failures_(options.failure_limit),
      key_failures_(options.failure_limit) {}

absl::Duration KeyGuard::Throttled(const std::string& peer,
                                   const std::string& key_id,
                                   absl::Time now) const {
  return std::max(
      peer_failures_.Wait(peer, now),
      key_id.empty() ? absl::ZeroDuration() : key_failures_.Wait(key_id, now));
}

absl::Status KeyGuard::ThrottledError(const std::string& peer,
                                      absl::Duration wait) const {
  if (metrics_ != nullptr) metrics_->AuthFailed("AUTH_THROTTLED");
  return WithRetryDelay(
      WithReason(
          absl::ResourceExhaustedError(absl::StrCat(
              "too many failed authentications from ", peer, ": retry in ",
              absl::ToInt64Milliseconds(wait) + 1, " ms")),
          "AUTH_THROTTLED"),
      wait);
}

absl::StatusOr<Caller> KeyGuard::Verify(const std::string& bearer,
                                        const std::string& peer) const {
  const absl::Time now = clock_();
  const uint64_t revocations = keys_->revocations();
  // Cached by a hash, so that plaintext secrets do not sit in memory.
  const std::string cache_key = Sha256(bearer);
  const std::string key_id = KeyIdOf(bearer);
  bool known_good = false;
  bool refused_recently = false;
  {
    absl::MutexLock lock(&mu_);
    const auto it = verified_.find(cache_key);
    if (it != verified_.end()) {
      if (it->second.until > now && it->second.revocations == revocations) {
        return it->second.caller;
      }
      known_good = true;
    }
    const auto refused = refused_.find(cache_key);
    refused_recently = refused != refused_.end() && refused->second > now;
  }
  // A peer (or a made-up key id) that keeps failing is refused without a
  // lookup; a key that was good here before is always checked again.
  if (!known_good) {
    if (const absl::Duration wait = Throttled(peer, key_id, now);
        wait > absl::ZeroDuration()) {
      return ThrottledError(peer, wait);
    }
  }
  if (refused_recently) return Refused(Rejected(), peer, "");
  const Looked looked = Lookup(bearer);
  const absl::StatusOr<Caller>& caller = looked.caller;
  if (!caller.ok() && !absl::IsUnauthenticated(caller.status())) {
    return caller.status();  // the key store is out: not the caller's fault
  }
  {
    absl::MutexLock lock(&mu_);
    if (verified_.size() > 10'000) verified_.clear();  // bounded memory
    if (refused_.size() > 10'000) refused_.clear();
    if (caller.ok()) {
      verified_[cache_key] = {*caller, now + options_.cache_for, revocations};
      return caller;
    }
    verified_.erase(cache_key);
    refused_[cache_key] = now + absl::Seconds(1);
  }
  // Only key ids that do not exist count for their id: an attacker cannot
  // lock a real key out by sending it wrong secrets.
  return Refused(caller.status(), peer, looked.known_key_id ? "" : key_id);
}

absl::Status KeyGuard::Refused(absl::Status status, const std::string& peer,
                               const std::string& key_id) const {
  const absl::Time now = clock_();
  peer_failures_.Acquire(peer, now);
  if (!key_id.empty()) key_failures_.Acquire(key_id, now);
  const std::string reason = ErrorReason(status);
  if (metrics_ != nullptr) metrics_->AuthFailed(reason);
  if (std::optional<std::string> line = failure_log_.Note(
          peer, absl::StrCat("authentication failed from ", peer, ": ", reason),
          now)) {
    LOG(WARNING) << *line;
  }
  return status;
}

KeyGuard::Looked KeyGuard::Lookup(const std::string& bearer) const {
  absl::StatusOr<PresentedKey> presented = ParseBearer(bearer);
  if (!presented.ok()) return {presented.status()};
  absl::StatusOr<std::optional<v1::ApiKey>> record =
      keys_->Find(presented->tenant, presented->key_id);
  if (!record.ok()) {
    // A record that cannot be read refuses the key; Redis out or slow is an
    // outage, never a failed authentication.
    if (absl::IsDataLoss(record.status())) return {Rejected()};
    return {WithReason(absl::UnavailableError(absl::StrCat(
                           "authorization: the key store cannot be read: ",
                           record.status().message())),
                       "UNAVAILABLE")};
  }
  if (!record->has_value()) return {Rejected()};
  const v1::ApiKey& key = **record;
  absl::StatusOr<Role> role = FromProto(key.role());
  if (key.revoked() || key.tenant() != presented->tenant ||
      key.key_id() != presented->key_id || !role.ok() ||
      !SecretMatches(key, presented->secret)) {
    return {Rejected(), /*known_key_id=*/true};
  }
  return {Caller{key.key_id(), key.tenant(), *role}, true};
}

absl::StatusOr<Caller> KeyGuard::Admit(const grpc::ServerContextBase& context,
                                       absl::string_view method) const {
  const std::string peer = CallerAddress(context, options_.gateway_token);
  const std::string bearer = Metadata(context, "authorization");
  if (bearer.empty()) {
    if (const absl::Duration wait = Throttled(peer, "", clock_());
        wait > absl::ZeroDuration()) {
      return ThrottledError(peer, wait);
    }
    return Refused(WithReason(absl::UnauthenticatedError(
                                  "authorization: an API key is required "
                                  "(Bearer plk....)"),
                              "KEY_MISSING"),
                   peer, "");
  }
  absl::StatusOr<Caller> caller = Verify(bearer, peer);
  if (!caller.ok()) return caller.status();
  // The tenant comes from the key; a call that names another is refused.
  const std::string named = Metadata(context, "plaudit-tenant");
  if (!named.empty() && named != caller->tenant) {
    if (metrics_ != nullptr) metrics_->AuthFailed("TENANT_MISMATCH");
    return WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "this key belongs to tenant ", caller->tenant, ", not ", named)),
        "TENANT_MISMATCH");
  }
  absl::StatusOr<Role> required = RequiredRole(method);
  caller->actor = CallerName(context);
  caller->as_manager = required.ok() && caller->role < *required &&
                       caller->role == Role::kIntegration &&
                       !caller->actor.empty() && ManagerMayCall(method);
  if (!required.ok() || (caller->role < *required && !caller->as_manager)) {
    if (metrics_ != nullptr) metrics_->AuthFailed("ROLE_FORBIDDEN");
    return WithReason(absl::PermissionDeniedError(absl::StrCat(
                          "this key's role may not call ", method)),
                      "ROLE_FORBIDDEN");
  }
  std::optional<RateLimit> own;
  if (options_.tenant_rate_limit)
    own = options_.tenant_rate_limit(caller->tenant);
  const absl::Duration wait =
      limiter_.Acquire(absl::StrCat(caller->tenant, ".", caller->key_id),
                       clock_(), own.value_or(options_.rate_limit));
  if (wait > absl::ZeroDuration()) {
    return WithRetryDelay(
        WithReason(
            absl::ResourceExhaustedError(absl::StrCat(
                "rate limit of key ", caller->key_id, " reached: retry in ",
                absl::ToInt64Milliseconds(wait) + 1, " ms")),
            "RATE_LIMITED"),
        wait);
  }
  return caller;
}

}  // namespace plaudit
