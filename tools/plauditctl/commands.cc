#include "tools/plauditctl/commands.h"

#include <fstream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/client_context.h"
#include "plaudit/v1/account_service.grpc.pb.h"
#include "plaudit/v1/analytics_service.grpc.pb.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "plaudit/v1/key_service.grpc.pb.h"
#include "plaudit/v1/leaderboard_service.grpc.pb.h"
#include "services/auth/api_key.h"
#include "services/auth/key_store.h"
#include "plaudit/v1/reward_service.grpc.pb.h"
#include "services/common/change_plan.h"
#include "services/common/json_file.h"
#include "services/rewards/reward_validation.h"
#include "plaudit/v1/rule_service.grpc.pb.h"
#include "plaudit/v1/user_service.grpc.pb.h"
#include "services/rules/rules_file.h"
#include "tools/plauditctl/users_csv.h"

namespace plaudit::ctl {
namespace {

constexpr int kUsersPerImportCall = 5000;

std::unique_ptr<grpc::ClientContext> NewContext(const Connection& c) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + c.timeout));
  if (!c.actor.empty()) context->AddMetadata("plaudit-actor", c.actor);
  if (!c.api_key.empty()) {
    context->AddMetadata("authorization", "Bearer " + c.api_key);
  }
  return context;
}

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

std::string FormatTime(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime(
      "%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(ts.seconds()),
      absl::LocalTimeZone());
}

// Fetches every rule, following page tokens.
absl::StatusOr<std::vector<v1::Rule>> FetchRules(const Connection& c) {
  auto stub = v1::RuleService::NewStub(c.channel);
  std::vector<v1::Rule> rules;
  v1::ListRulesRequest request;
  request.set_page_size(1000);
  do {
    v1::ListRulesResponse response;
    if (auto s = stub->ListRules(NewContext(c).get(), request, &response);
        !s.ok()) {
      return FromGrpc(s);
    }
    rules.insert(rules.end(), response.rules().begin(), response.rules().end());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return rules;
}

}  // namespace

absl::Status RulesApply(const Connection& c, const std::string& path,
                        bool prune) {
  absl::StatusOr<v1::RuleSet> wanted = ReadRulesFile(path);
  if (!wanted.ok()) return wanted.status();
  absl::StatusOr<std::vector<v1::Rule>> existing = FetchRules(c);
  if (!existing.ok()) return existing.status();
  const ChangePlan<v1::Rule> plan = PlanChanges<v1::Rule>(
      *existing, wanted->rules(), [](const v1::Rule& r) { return r.rule_id(); },
      RulesDiffer);

  auto stub = v1::RuleService::NewStub(c.channel);
  auto failed = [](const std::string& id, const grpc::Status& status) {
    return absl::Status(FromGrpc(status).code(),
                        absl::StrCat("rule ", id, ": ", status.error_message()));
  };
  for (const v1::Rule& rule : plan.create) {
    v1::CreateRuleRequest request;
    *request.mutable_rule() = rule;
    v1::CreateRuleResponse response;
    if (auto s = stub->CreateRule(NewContext(c).get(), request, &response);
        !s.ok()) {
      return failed(rule.rule_id(), s);
    }
  }
  for (const v1::Rule& rule : plan.update) {
    v1::UpdateRuleRequest request;  // no mask: the file's rule replaces all
    *request.mutable_rule() = rule;
    v1::UpdateRuleResponse response;
    if (auto s = stub->UpdateRule(NewContext(c).get(), request, &response);
        !s.ok()) {
      return failed(rule.rule_id(), s);
    }
  }
  for (const std::string& id : prune ? plan.absent
                                     : std::vector<std::string>{}) {
    v1::DeleteRuleRequest request;
    request.set_rule_id(id);
    v1::DeleteRuleResponse response;
    if (auto s = stub->DeleteRule(NewContext(c).get(), request, &response);
        !s.ok()) {
      return failed(id, s);
    }
  }
  *c.out << absl::StrFormat(
      "rules: %d created, %d updated, %d unchanged, %d deleted%s\n",
      plan.create.size(), plan.update.size(), plan.unchanged,
      prune ? plan.absent.size() : 0,
      !prune && !plan.absent.empty()
          ? absl::StrCat(" (", plan.absent.size(),
                         " not in the file kept; --prune deletes them)")
          : "");
  return absl::OkStatus();
}

absl::Status RulesList(const Connection& c) {
  absl::StatusOr<std::vector<v1::Rule>> rules = FetchRules(c);
  if (!rules.ok()) return rules.status();
  v1::RuleSet set;
  for (auto& rule : *rules) {
    rule.clear_update_time();  // output only: keeps the file re-appliable
    *set.add_rules() = std::move(rule);
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  google::protobuf::util::MessageToJsonString(set, &json, options);
  *c.out << json;
  return absl::OkStatus();
}

absl::Status UsersImport(const Connection& c, const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<CsvUser>> users = ParseUsersCsv(*text);
  if (!users.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", users.status().message()));
  }
  auto stub = v1::UserService::NewStub(c.channel);
  int imported = 0;
  for (size_t start = 0; start < users->size(); start += kUsersPerImportCall) {
    const size_t end = std::min(users->size(), start + kUsersPerImportCall);
    v1::ImportUsersRequest request;
    for (size_t i = start; i < end; ++i) *request.add_users() = (*users)[i].user;
    v1::ImportUsersResponse response;
    if (auto s = stub->ImportUsers(NewContext(c).get(), request, &response);
        !s.ok()) {
      return absl::Status(
          FromGrpc(s).code(),
          absl::StrCat(path, ": batch from line ", (*users)[start].line, ": ",
                       s.error_message()));
    }
    imported += response.imported_count();
  }
  *c.out << "users: " << imported << " imported\n";
  return absl::OkStatus();
}

absl::Status EventsSend(const Connection& c, const v1::Event& event) {
  auto stub = v1::EventService::NewStub(c.channel);
  v1::RecordEventRequest request;
  *request.mutable_event() = event;
  v1::RecordEventResponse response;
  if (auto s = stub->RecordEvent(NewContext(c).get(), request, &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  const v1::EventOutcome& outcome = response.outcome();
  *c.out << "event " << outcome.event_id()
         << (outcome.duplicate() ? " (already recorded: nothing paid now)" : "")
         << "\n";
  for (const auto& award : outcome.awards()) {
    *c.out << absl::StrFormat("  awarded %s %+d (rule %s)\n", award.user_id(),
                              award.points(), award.rule_id());
  }
  for (const auto& refusal : outcome.refusals()) {
    *c.out << absl::StrFormat("  not paid: rule %s for %s: %s\n",
                              refusal.rule_id(), refusal.user_id(),
                              v1::Refusal::Reason_Name(refusal.reason()));
  }
  if (outcome.awards_size() == 0 && outcome.refusals_size() == 0) {
    *c.out << "  no rule matches this action\n";
  }
  return absl::OkStatus();
}

absl::Status EventsRetract(const Connection& c, const std::string& event_id) {
  auto stub = v1::EventService::NewStub(c.channel);
  v1::RetractEventRequest request;
  request.set_event_id(event_id);
  v1::RetractEventResponse response;
  if (auto s = stub->RetractEvent(NewContext(c).get(), request, &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << "event " << event_id
         << (response.already_retracted() ? " was already retracted"
                                          : " retracted")
         << "\n";
  for (const auto& reversal : response.reversals()) {
    *c.out << absl::StrFormat("  %s %+d (rule %s)\n", reversal.user_id(),
                              reversal.points(), reversal.rule_id());
  }
  return absl::OkStatus();
}

absl::Status ShowBalance(const Connection& c, const std::string& user_id) {
  auto stub = v1::AccountService::NewStub(c.channel);
  v1::GetBalanceRequest request;
  request.set_user_id(user_id);
  v1::GetBalanceResponse response;
  if (auto s = stub->GetBalance(NewContext(c).get(), request, &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << absl::StrFormat("%s: balance %d, lifetime earned %d\n", user_id,
                            response.balance().balance(),
                            response.balance().lifetime_earned());
  return absl::OkStatus();
}

absl::Status ShowHistory(const Connection& c, const std::string& user_id,
                         int limit) {
  auto stub = v1::AccountService::NewStub(c.channel);
  v1::ListTransactionsRequest request;
  request.set_user_id(user_id);
  request.set_page_size(std::min(limit, 1000));
  int shown = 0;
  do {
    v1::ListTransactionsResponse response;
    if (auto s = stub->ListTransactions(NewContext(c).get(), request, &response);
        !s.ok()) {
      return FromGrpc(s);
    }
    for (const auto& e : response.entries()) {
      if (shown++ == limit) return absl::OkStatus();
      *c.out << absl::StrFormat(
          "%s  %-7s %+6d  balance %6d  %s%s%s\n", FormatTime(e.create_time()),
          v1::LedgerEntry::Type_Name(e.type()), e.delta(), e.balance_after(),
          e.reference(), e.rule_id().empty() ? "" : " rule " + e.rule_id(),
          e.reason().empty() ? "" : " \"" + e.reason() + "\"");
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty() && shown < limit);
  if (shown == 0) *c.out << user_id << ": no transactions\n";
  return absl::OkStatus();
}

absl::Status Adjust(const Connection& c, const std::string& user_id,
                    int64_t delta, const std::string& reason,
                    const std::string& request_id) {
  auto stub = v1::AccountService::NewStub(c.channel);
  v1::AdjustBalanceRequest request;
  request.set_user_id(user_id);
  request.set_delta(delta);
  request.set_reason(reason);
  request.set_request_id(request_id);
  v1::AdjustBalanceResponse response;
  if (auto s = stub->AdjustBalance(NewContext(c).get(), request, &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << absl::StrFormat("%s: %+d, balance now %d\n", user_id,
                            response.entry().delta(),
                            response.balance().balance());
  return absl::OkStatus();
}

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
  auto stub = v1::LeaderboardService::NewStub(c.channel);
  v1::GetLeaderboardRequest request;
  request.set_scope(scope);
  request.set_period(period);
  request.set_bucket(bucket);
  request.set_page_size(std::min(limit, 1000));
  v1::GetLeaderboardResponse response;
  if (auto s = stub->GetLeaderboard(NewContext(c).get(), request, &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << absl::StrFormat("%s, %s %s: %d participants\n", scope,
                            absl::AsciiStrToLower(v1::Period_Name(period)),
                            response.bucket(), response.participants());
  for (const auto& entry : response.entries()) PrintEntry(*c.out, entry);
  return absl::OkStatus();
}

absl::Status ShowRank(const Connection& c, const std::string& user_id,
                      const std::string& scope, v1::Period period,
                      const std::string& bucket, int neighbors) {
  auto stub = v1::LeaderboardService::NewStub(c.channel);
  v1::GetRankRequest request;
  request.set_user_id(user_id);
  request.set_scope(scope);
  request.set_period(period);
  request.set_bucket(bucket);
  request.set_neighbors(neighbors);
  v1::GetRankResponse response;
  if (auto s = stub->GetRank(NewContext(c).get(), request, &response); !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << absl::StrFormat(
      "%s: rank %d of %d on %s, %s %s (score %d, percentile %.1f)%s\n",
      user_id, response.entry().rank(), response.participants(), scope,
      absl::AsciiStrToLower(v1::Period_Name(period)), response.bucket(),
      response.entry().score(), response.percentile(),
      response.hidden() ? " [hidden from others]" : "");
  for (const auto& entry : response.above()) PrintEntry(*c.out, entry);
  PrintEntry(*c.out, response.entry(), "> ");
  for (const auto& entry : response.below()) PrintEntry(*c.out, entry);
  return absl::OkStatus();
}

absl::Status SetHidden(const Connection& c, const std::string& user_id,
                       bool hidden) {
  auto stub = v1::LeaderboardService::NewStub(c.channel);
  v1::SetUserVisibilityRequest request;
  request.set_user_id(user_id);
  request.set_hidden(hidden);
  v1::SetUserVisibilityResponse response;
  if (auto s = stub->SetUserVisibility(NewContext(c).get(), request, &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << user_id
         << (hidden ? " is hidden from leaderboards\n"
                    : " is shown on leaderboards\n");
  return absl::OkStatus();
}

absl::StatusOr<v1::Role> ParseRole(const std::string& name) {
  v1::Role role;
  if (!v1::Role_Parse(absl::AsciiStrToUpper(name), &role) ||
      role == v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "role: expected admin, integration or reader, got ", name));
  }
  return role;
}

absl::Status KeysNew(std::ostream& out, const std::string& path,
                     const std::string& tenant, v1::Role role,
                     const std::string& name) {
  v1::KeyFile file;
  if (std::ifstream(path).good()) {
    absl::StatusOr<v1::KeyFile> read = ReadKeyFile(path);
    if (!read.ok()) return read.status();
    file = *std::move(read);
  }
  NewKey key = GenerateKey(tenant, role, name);
  *key.record.mutable_create_time() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  *file.add_keys() = key.record;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  google::protobuf::util::MessageToJsonString(file, &json, options);
  std::ofstream(path, std::ios::trunc) << json;
  if (!std::ofstream(path, std::ios::app)) {
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  }
  out << key.secret << "\n";
  return absl::OkStatus();
}

absl::Status KeysCreate(const Connection& c, v1::Role role,
                        const std::string& name) {
  auto stub = v1::KeyService::NewStub(c.channel);
  v1::CreateKeyRequest request;
  request.set_role(role);
  request.set_name(name);
  v1::CreateKeyResponse response;
  if (auto s = stub->CreateKey(NewContext(c).get(), request, &response); !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << response.secret() << "\n";
  return absl::OkStatus();
}

absl::Status KeysList(const Connection& c) {
  auto stub = v1::KeyService::NewStub(c.channel);
  v1::ListKeysResponse response;
  if (auto s = stub->ListKeys(NewContext(c).get(), v1::ListKeysRequest(), &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  for (const auto& key : response.keys()) {
    *c.out << absl::StrFormat("%-18s %-12s %-12s %s%s\n", key.key_id(), key.tenant(),
                              v1::Role_Name(key.role()), key.name(),
                              key.revoked() ? "  [revoked]" : "");
  }
  return absl::OkStatus();
}

absl::Status KeysRevoke(const Connection& c, const std::string& key_id) {
  auto stub = v1::KeyService::NewStub(c.channel);
  v1::RevokeKeyRequest request;
  request.set_key_id(key_id);
  v1::RevokeKeyResponse response;
  if (auto s = stub->RevokeKey(NewContext(c).get(), request, &response); !s.ok()) {
    return FromGrpc(s);
  }
  *c.out << "key " << key_id << " revoked\n";
  return absl::OkStatus();
}

namespace {

std::string Change(bool has, double percent) {
  return has ? absl::StrFormat(" (%+.1f%%)", percent) : "";
}

}  // namespace

absl::Status ShowStats(const Connection& c, const std::string& scope,
                       v1::Period period, const std::string& bucket) {
  auto stub = v1::AnalyticsService::NewStub(c.channel);
  v1::GetEngagementRequest request;
  request.set_scope(scope);
  request.set_period(period);
  request.set_bucket(bucket);
  v1::GetEngagementResponse response;
  if (auto s = stub->GetEngagement(NewContext(c).get(), request, &response);
      !s.ok()) {
    return FromGrpc(s);
  }
  const v1::Engagement& e = response.engagement();
  *c.out << absl::StrFormat("%s, %s %s\n", scope,
                            absl::AsciiStrToLower(v1::Period_Name(period)),
                            e.bucket());
  if (e.withheld()) {
    *c.out << "  withheld: too few active users to show figures\n";
    return absl::OkStatus();
  }
  const v1::EngagementFigures& f = e.figures();
  const v1::Growth& g = e.growth();
  *c.out << absl::StrFormat("  active users     %8d%s\n", f.active_users(),
                            Change(g.has_active_users(), g.active_users()))
         << absl::StrFormat("  events           %8d%s\n", f.events(),
                            Change(g.has_events(), g.events()))
         << absl::StrFormat("  points awarded   %8d%s\n", f.points_awarded(),
                            Change(g.has_points_awarded(), g.points_awarded()))
         << absl::StrFormat("  points redeemed  %8d\n", f.points_redeemed())
         << absl::StrFormat("  participants     %8d%s\n", f.participants(),
                            Change(g.has_participants(), g.participants()));
  std::map<std::string, int64_t> actions(f.events_by_action().begin(),
                                         f.events_by_action().end());
  for (const auto& [action, count] : actions) {
    *c.out << absl::StrFormat("    %-22s %6d\n", action, count);
  }
  return absl::OkStatus();
}

absl::Status RewardsApply(const Connection& c, const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<v1::RewardSet> wanted = ParseCatalogJson(*text);
  if (!wanted.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", wanted.status().message()));
  }
  auto stub = v1::RewardService::NewStub(c.channel);
  // Everything HR has, inactive and archived too, in one list.
  std::map<std::string, v1::Reward> current;
  v1::ListRewardsRequest list;
  list.set_include_inactive(true);
  list.set_page_size(1000);
  do {
    v1::ListRewardsResponse page;
    if (auto s = stub->ListRewards(NewContext(c).get(), list, &page); !s.ok()) {
      return FromGrpc(s);
    }
    for (const auto& r : page.rewards()) current[r.reward_id()] = r;
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());

  std::vector<v1::Reward> existing;
  for (auto& [id, reward] : current) existing.push_back(std::move(reward));
  // A file's stock is the starting stock of a new reward: re-applying the
  // file must not refill what has been redeemed since. Archived rewards are
  // kept for history; HR archived them on purpose.
  const ChangePlan<v1::Reward> plan = PlanChanges<v1::Reward>(
      existing, wanted->rewards(),
      [](const v1::Reward& r) { return r.reward_id(); },
      [](const v1::Reward& now, const v1::Reward& file) {
        v1::Reward without_stock = file;
        without_stock.clear_stock();
        return RewardsDiffer(now, without_stock);
      },
      [](const v1::Reward& now) { return now.archived(); });
  auto failed = [](const std::string& id, const grpc::Status& status) {
    return absl::Status(
        FromGrpc(status).code(),
        absl::StrCat("reward ", id, ": ", status.error_message()));
  };
  for (const v1::Reward& reward : plan.create) {
    v1::CreateRewardRequest request;
    *request.mutable_reward() = reward;
    v1::CreateRewardResponse response;
    if (auto s = stub->CreateReward(NewContext(c).get(), request, &response);
        !s.ok()) {
      return failed(reward.reward_id(), s);
    }
  }
  for (const v1::Reward& reward : plan.update) {
    v1::UpdateRewardRequest request;  // no mask, no stock: all but stock
    *request.mutable_reward() = reward;
    request.mutable_reward()->clear_stock();
    v1::UpdateRewardResponse response;
    if (auto s = stub->UpdateReward(NewContext(c).get(), request, &response);
        !s.ok()) {
      return failed(reward.reward_id(), s);
    }
  }
  *c.out << absl::StrFormat(
      "rewards: %d created, %d updated, %d unchanged%s\n", plan.create.size(),
      plan.update.size(), plan.unchanged,
      plan.left_alone
          ? absl::StrCat(", ", plan.left_alone, " archived left alone")
          : "");
  return absl::OkStatus();
}

absl::Status RewardsList(const Connection& c, bool include_inactive) {
  auto stub = v1::RewardService::NewStub(c.channel);
  v1::ListRewardsRequest request;
  request.set_include_inactive(include_inactive);
  request.set_page_size(1000);
  do {
    v1::ListRewardsResponse response;
    if (auto s = stub->ListRewards(NewContext(c).get(), request, &response);
        !s.ok()) {
      return FromGrpc(s);
    }
    for (const auto& r : response.rewards()) {
      *c.out << absl::StrFormat(
          "%-20s %7d pts  stock %-9s %s%s%s\n", r.reward_id(), r.cost(),
          r.has_stock() ? absl::StrCat(r.stock()) : "unlimited", r.title(),
          r.requires_approval() ? "  [approval]" : "",
          r.archived() ? "  [archived]" : (r.active() ? "" : "  [inactive]"));
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

namespace {

void PrintRedemption(std::ostream& out, const v1::Redemption& r) {
  out << absl::StrFormat("%6s  %-9s %-12s %-20s x%d  %6d pts  %s%s\n",
                         r.redemption_id(), v1::Redemption::Status_Name(r.status()),
                         r.user_id(), r.reward_id(), r.quantity(), r.points(),
                         FormatTime(r.create_time()),
                         r.reason().empty() ? "" : "  \"" + r.reason() + "\"");
}

}  // namespace

absl::Status RedeemReward(const Connection& c, const v1::RedeemRequest& request) {
  auto stub = v1::RewardService::NewStub(c.channel);
  v1::RedeemResponse response;
  if (auto s = stub->Redeem(NewContext(c).get(), request, &response); !s.ok()) {
    return FromGrpc(s);
  }
  PrintRedemption(*c.out, response.redemption());
  *c.out << request.user_id() << ": balance now " << response.balance() << "\n";
  return absl::OkStatus();
}

absl::Status RedemptionsList(const Connection& c, const std::string& user_id,
                             const std::string& status) {
  v1::ListRedemptionsRequest request;
  request.set_user_id(user_id);
  if (!status.empty()) {
    v1::Redemption::Status parsed;
    if (!v1::Redemption::Status_Parse(absl::AsciiStrToUpper(status), &parsed)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "status: expected pending, approved, fulfilled, rejected or "
          "cancelled, got ", status));
    }
    request.set_status(parsed);
  }
  request.set_page_size(1000);
  auto stub = v1::RewardService::NewStub(c.channel);
  int shown = 0;
  do {
    v1::ListRedemptionsResponse response;
    if (auto s = stub->ListRedemptions(NewContext(c).get(), request, &response);
        !s.ok()) {
      return FromGrpc(s);
    }
    for (const auto& r : response.redemptions()) {
      PrintRedemption(*c.out, r);
      ++shown;
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  if (shown == 0) *c.out << "no redemptions\n";
  return absl::OkStatus();
}

absl::Status MoveRedemption(const Connection& c, const std::string& action,
                            const std::string& redemption_id,
                            const std::string& reason,
                            const std::string& user_id) {
  auto stub = v1::RewardService::NewStub(c.channel);
  grpc::Status status;
  v1::Redemption redemption;
  if (action == "approve") {
    v1::ApproveRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    v1::ApproveRedemptionResponse response;
    status = stub->ApproveRedemption(NewContext(c).get(), request, &response);
    redemption = response.redemption();
  } else if (action == "reject") {
    v1::RejectRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    request.set_reason(reason);
    v1::RejectRedemptionResponse response;
    status = stub->RejectRedemption(NewContext(c).get(), request, &response);
    redemption = response.redemption();
  } else if (action == "fulfil") {
    v1::FulfillRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    v1::FulfillRedemptionResponse response;
    status = stub->FulfillRedemption(NewContext(c).get(), request, &response);
    redemption = response.redemption();
  } else {
    v1::CancelRedemptionRequest request;
    request.set_redemption_id(redemption_id);
    request.set_user_id(user_id);
    v1::CancelRedemptionResponse response;
    status = stub->CancelRedemption(NewContext(c).get(), request, &response);
    redemption = response.redemption();
  }
  if (!status.ok()) return FromGrpc(status);
  PrintRedemption(*c.out, redemption);
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
