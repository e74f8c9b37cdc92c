#include "services/leaderboards/leaderboard_service.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/call_guard.h"
#include "services/common/grpc_status.h"
#include "services/common/paging.h"
#include "services/common/validation.h"
#include "services/leaderboards/board_request.h"

namespace plaudit {
namespace {

// Tokens name their scope and period, and carry the bucket they page
// through: a list begun before midnight continues on the same day.
std::string TokenKind(const std::string& scope, v1::Period period) {
  return absl::StrCat("board:", v1::Period_Name(period), ":", scope);
}

struct PageCursor {
  std::string bucket;
  BoardCursor after;
};

// "bucket|score|user_id", what the previous page ended at.
absl::StatusOr<PageCursor> ParseCursor(const std::string& raw) {
  const std::vector<std::string> parts =
      absl::StrSplit(raw, absl::MaxSplits('|', 2));
  PageCursor cursor;
  if (parts.size() != 3 || parts[0].empty() || parts[2].empty() ||
      !absl::SimpleAtoi(parts[1], &cursor.after.score)) {
    return InvalidField("page_token", "is malformed");
  }
  cursor.bucket = parts[0];
  cursor.after.user_id = parts[2];
  return cursor;
}

}  // namespace

LeaderboardService::LeaderboardService(
    ForTenant<LeaderboardStore> stores, CallGate gate, AuditLog* audit,
    Metrics* metrics, ForTenant<const CalendarSource> calendars, Clock clock)
    : RpcService(v1::LeaderboardService::service_full_name(), gate),
      stores_(std::move(stores)),
      audit_(audit),
      metrics_(metrics),
      calendars_(std::move(calendars)),
      clock_(std::move(clock)) {
  Handle("GetLeaderboard", &LeaderboardService::GetLeaderboard);
  Handle("GetRank", &LeaderboardService::GetRank);
  Handle("ListScopes", &LeaderboardService::ListScopes);
  Handle("SetUserVisibility", &LeaderboardService::SetUserVisibility);
}

absl::StatusOr<PeriodBucket> LeaderboardService::ResolveBoard(
    const std::string& tenant, const std::string& scope, v1::Period period,
    const std::string& bucket) const {
  return ResolveBucket(*calendars_(tenant).Calendar(), scope, period, bucket,
                       clock_());
}

void LeaderboardService::GetLeaderboard(
    const Caller& caller, const v1::GetLeaderboardRequest& request,
    v1::GetLeaderboardResponse* response, Reply reply) {
  const std::string kind = TokenKind(request.scope(), request.period());
  absl::StatusOr<PageRequest> asked = ReadPageRequest(kind, request);
  if (!asked.ok()) return reply(asked.status());
  std::optional<PageCursor> cursor;
  if (!asked->cursor.empty()) {
    absl::StatusOr<PageCursor> decoded = ParseCursor(asked->cursor);
    if (!decoded.ok()) return reply(decoded.status());
    if (!request.bucket().empty() && request.bucket() != decoded->bucket) {
      return reply(InvalidField("page_token", "belongs to another bucket"));
    }
    cursor = *std::move(decoded);
  }
  absl::StatusOr<PeriodBucket> bucket =
      ResolveBoard(caller.tenant, request.scope(), request.period(),
                   cursor ? cursor->bucket : request.bucket());
  if (!bucket.ok()) return reply(bucket.status());

  response->set_scope(request.scope());
  response->set_period(request.period());
  response->set_bucket(bucket->id);
  // The call may be over when Page returns: only count it.
  const bool from_memory =
      stores_(caller.tenant)
          .Page(BucketKey(*bucket), request.scope(),
                cursor ? &cursor->after : nullptr, asked->size,
                [reply, response,
                 kind](absl::StatusOr<std::shared_ptr<const BoardPage>> found) {
                  if (!found.ok()) return reply(found.status());
                  const BoardPage& page = **found;
                  response->set_participants(page.participants);
                  response->mutable_entries()->Reserve(page.entries.size());
                  for (const auto& entry : page.entries)
                    *response->add_entries() = entry;
                  if (page.more) {
                    const v1::LeaderboardEntry& last =
                        *response->entries().rbegin();
                    response->set_next_page_token(NextPageToken(
                        kind, absl::StrCat(response->bucket(), "|",
                                           last.score(), "|", last.user_id())));
                  }
                  reply(absl::OkStatus());
                });
  metrics_->LeaderboardPageServed(from_memory);
}

void LeaderboardService::GetRank(const Caller& caller,
                                 const v1::GetRankRequest& request,
                                 v1::GetRankResponse* response, Reply reply) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) {
    return reply(s);
  }
  absl::StatusOr<PeriodBucket> bucket = ResolveBoard(
      caller.tenant, request.scope(), request.period(), request.bucket());
  if (!bucket.ok()) return reply(bucket.status());
  if (request.neighbors() < 0 || request.neighbors() > kMaxNeighbors) {
    return reply(InvalidField(
        "neighbors", absl::StrCat("must be between 0 and ", kMaxNeighbors)));
  }
  response->set_scope(request.scope());
  response->set_period(request.period());
  response->set_bucket(bucket->id);
  stores_(caller.tenant)
      .Rank(BucketKey(*bucket), request.scope(), request.user_id(),
            request.neighbors(),
            [reply, response](absl::StatusOr<RankView> view) {
              if (!view.ok()) return reply(view.status());
              *response->mutable_entry() = view->entry;
              response->set_participants(view->participants);
              response->set_percentile(
                  Percentile(view->entry.rank(), view->participants));
              response->set_hidden(view->hidden);
              for (auto& entry : view->above)
                *response->add_above() = std::move(entry);
              for (auto& entry : view->below)
                *response->add_below() = std::move(entry);
              reply(absl::OkStatus());
            });
}

absl::Status LeaderboardService::ListScopes(
    const Caller& caller, const v1::ListScopesRequest& request,
    v1::ListScopesResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> scopes =
      stores_(caller.tenant).Scopes(request.user_id());
  if (!scopes.ok()) return scopes.status();
  for (auto& scope : *scopes) response->add_scopes(std::move(scope));
  return absl::OkStatus();
}

absl::Status LeaderboardService::SetUserVisibility(
    const Caller& caller, const v1::SetUserVisibilityRequest& request,
    v1::SetUserVisibilityResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  const absl::Time now = clock_();
  // Events may be dated up to a day ahead: their buckets hold scores too.
  if (auto s = stores_(caller.tenant)
                   .SetHidden(request.user_id(), request.hidden(), now,
                              calendars_(caller.tenant)
                                  .Calendar()
                                  ->RetainedBuckets(now, absl::Hours(24)));
      !s.ok()) {
    return s;
  }
  response->set_user_id(request.user_id());
  response->set_hidden(request.hidden());
  audit_->Record(caller, "USER_VISIBILITY_CHANGED", request.user_id(), nullptr,
                 response);
  return absl::OkStatus();
}

}  // namespace plaudit
