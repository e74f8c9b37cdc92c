#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plaudit/v1/leaderboard_service.grpc.pb.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

absl::StatusOr<v1::Period> ParsePeriod(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "all" || lower == "all_time") return v1::ALL_TIME;
  if (lower == "year") return v1::YEAR;
  if (lower == "month") return v1::MONTH;
  if (lower == "week") return v1::WEEK;
  if (lower == "day") return v1::DAY;
  return absl::InvalidArgumentError(absl::StrCat(
      "period: expected all, year, month, week or day, got ", name));
}

namespace {

void PrintEntry(std::ostream& out, const v1::LeaderboardEntry& e,
                const char* marker = "  ") {
  out << absl::StrFormat("%s%5d  %-24s %8d  %s\n", marker, e.rank(),
                         e.user_id(), e.score(), e.display_name());
}

}  // namespace

absl::Status ShowTop(const Connection& c, const std::string& scope,
                     v1::Period period, const std::string& bucket, int limit) {
  v1::GetLeaderboardRequest request;
  request.set_scope(scope);
  request.set_period(period);
  request.set_bucket(bucket);
  request.set_page_size(std::min(limit, 1000));
  absl::StatusOr<v1::GetLeaderboardResponse> response =
      Call(c, &v1::LeaderboardService::Stub::GetLeaderboard, request);
  if (!response.ok()) return response.status();
  *c.out << absl::StrFormat("%s, %s %s: %d participants\n", scope,
                            absl::AsciiStrToLower(v1::Period_Name(period)),
                            response->bucket(), response->participants());
  for (const auto& entry : response->entries()) PrintEntry(*c.out, entry);
  return absl::OkStatus();
}

absl::Status ShowRank(const Connection& c, const std::string& user_id,
                      const std::string& scope, v1::Period period,
                      const std::string& bucket, int neighbors) {
  v1::GetRankRequest request;
  request.set_user_id(user_id);
  request.set_scope(scope);
  request.set_period(period);
  request.set_bucket(bucket);
  request.set_neighbors(neighbors);
  absl::StatusOr<v1::GetRankResponse> response =
      Call(c, &v1::LeaderboardService::Stub::GetRank, request);
  if (!response.ok()) return response.status();
  *c.out << absl::StrFormat(
      "%s: rank %d of %d on %s, %s %s (score %d, percentile %.1f)%s\n", user_id,
      response->entry().rank(), response->participants(), scope,
      absl::AsciiStrToLower(v1::Period_Name(period)), response->bucket(),
      response->entry().score(), response->percentile(),
      response->hidden() ? " [hidden from others]" : "");
  for (const auto& entry : response->above()) PrintEntry(*c.out, entry);
  PrintEntry(*c.out, response->entry(), "> ");
  for (const auto& entry : response->below()) PrintEntry(*c.out, entry);
  return absl::OkStatus();
}

absl::Status SetHidden(const Connection& c, const std::string& user_id,
                       bool hidden) {
  v1::SetUserVisibilityRequest request;
  request.set_user_id(user_id);
  request.set_hidden(hidden);
  absl::StatusOr<v1::SetUserVisibilityResponse> response =
      Call(c, &v1::LeaderboardService::Stub::SetUserVisibility, request);
  if (!response.ok()) return response.status();
  *c.out << user_id
         << (hidden ? " is hidden from leaderboards\n"
                    : " is shown on leaderboards\n");
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
