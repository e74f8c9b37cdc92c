// plauditctl: the admin CLI for HR and operators. Flags only here.
#include <algorithm>
#include <functional>
#include <iostream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/common/json_file.h"
#include "tools/plauditctl/commands.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051",
          "plauditd address, host:port");
ABSL_FLAG(std::string, actor, "",
          "Your name, kept in the rules' revision trail");
ABSL_FLAG(
    std::string, api_key, "",
    "API key (plk....); default: the PLAUDIT_API_KEY environment variable");
ABSL_FLAG(std::string, tenant, "", "keys new: the tenant of the key");
ABSL_FLAG(std::string, tls_ca, "",
          "TLS: the server's CA (PEM); empty: plaintext");
ABSL_FLAG(std::string, tls_cert, "",
          "mutual TLS: this client's certificate (PEM)");
ABSL_FLAG(std::string, tls_key, "", "mutual TLS: this client's key (PEM)");
ABSL_FLAG(std::string, role, "",
          "keys new, keys create: admin, integration, reader");
ABSL_FLAG(std::string, name, "", "keys new, keys create: who uses the key");
ABSL_FLAG(std::string, f, "", "Input file: rules or catalog JSON, users CSV");
ABSL_FLAG(bool, prune, false, "rules apply: delete rules not in the file");
ABSL_FLAG(std::string, id, "", "events send: event id (idempotency key)");
ABSL_FLAG(std::string, action, "", "events send: action, e.g. post.created");
ABSL_FLAG(std::string, actor_id, "", "events send: who did it");
ABSL_FLAG(std::string, subject, "", "events send: whose thing it was done to");
ABSL_FLAG(std::string, object, "", "events send: which post / course");
ABSL_FLAG(std::string, tags, "", "events send: comma-separated tags");
ABSL_FLAG(int, limit, 50, "history, top: how many entries");
ABSL_FLAG(std::string, bucket, "",
          "top, rank: a past bucket, e.g. 2026-W47 (default: the current one)");
ABSL_FLAG(int, neighbors, 3, "rank: entries shown above and below");
ABSL_FLAG(int64_t, delta, 0, "adjust: points to grant (+) or deduct (-)");
ABSL_FLAG(std::string, reason, "",
          "adjust, reject: why (shown to the employee)");
ABSL_FLAG(std::string, request_id, "",
          "adjust, redeem: idempotency key (redeem: generated when empty)");
ABSL_FLAG(int, quantity, 1, "redeem: how many units");
ABSL_FLAG(bool, all, false, "rewards list: also inactive and archived rewards");
ABSL_FLAG(std::string, status, "", "redemptions list: pending, approved, ...");
ABSL_FLAG(std::string, user, "",
          "redemptions list, cancel: the employee; notifications tail: only "
          "this user's notifications");
ABSL_FLAG(std::string, display_name, "", "tenant set: the company's name");
ABSL_FLAG(std::string, time_zone, "",
          "tenant set: IANA zone, e.g. Europe/Moscow (applies from now on)");
ABSL_FLAG(std::string, retain, "",
          "tenant set: buckets kept: days,weeks,months,years, e.g. 30,12,13,5");
ABSL_FLAG(std::string, periods, "",
          "tenant set: the periods whose boards are kept, e.g. all,month,week");
ABSL_FLAG(std::string, scopes, "",
          "tenant set: the scopes whose boards are kept, e.g. global,dept:");
ABSL_FLAG(std::string, balance, "",
          "users deactivate: keep, pay_out or forfeit (empty: the tenant's "
          "leaver_balance)");
ABSL_FLAG(bool, keep_past_places, false,
          "users deactivate: leave only the current boards");
ABSL_FLAG(int, privacy_min_active_users, 0,
          "tenant set: smaller groups' engagement is withheld");
ABSL_FLAG(std::string, kinds, "",
          "webhooks add, notifications tail: comma-separated notification "
          "kinds, e.g. award.paid,balance.adjusted (default: every kind)");
ABSL_FLAG(std::string, group, "",
          "webhooks add: only notifications about this group's users, e.g. "
          "dept:sales");
ABSL_FLAG(std::string, description, "", "webhooks add: what the endpoint is");
ABSL_FLAG(bool, failed, false, "deliveries list: only the dead letters");
ABSL_FLAG(std::string, after, "",
          "notifications tail: start after this notification id");
ABSL_FLAG(bool, unread, false, "notifications list: only the unread ones");
ABSL_FLAG(std::string, up_to, "",
          "notifications read: up to and including this notification id "
          "(default: every notification so far)");

namespace {

constexpr char kUsage[] = R"(plauditctl [--server=host:port] COMMAND

  rules apply -f rules.json [--prune]   create/update rules to match the file
  rules list                            print all rules as a rules file
  users import -f users.csv             bulk upsert (columns user_id,display_name,
                                        groups,manager_id; header names them)
  users show USER                       the user (JSON)
  users deactivate USER --reason=R [--balance=keep|pay_out|forfeit]
                   [--keep_past_places] a leaver: off the boards, pending
                                        redemptions refunded, balance settled
  users reactivate USER                 back on the boards, earning again
  users erase USER                      erase a deactivated user's personal data
  events send --id ID --action A --actor_id U [--subject U] [--object O] [--tags a,b]
  events retract ID                     reverse what an event paid
  balance USER                          spendable balance and lifetime earned
  history USER [--limit N]              the user's ledger, newest first
  adjust USER --delta=N --reason=R --request_id=ID   HR grant (+N) or deduction (-N)
  top SCOPE PERIOD [--bucket=B] [--limit=N]   a leaderboard (scope: global or a
                                        group; period: all, year, month, week, day)
  rank USER SCOPE PERIOD [--bucket=B] [--neighbors=K]   where USER stands
  hide USER | unhide USER               leaderboard privacy opt-out (HR)
  keys new -f keys.json --tenant=T --role=R --name=N   offline: a key into a
                                        keys file (plauditd --keys_file); prints it
  keys create --role=R --name=N         a key of your tenant (prints it once)
  keys list | keys revoke KEY_ID
  stats SCOPE PERIOD [--bucket=B]       engagement figures (period: year,
                                        month, week, day) and their growth
  rewards apply -f catalog.json         create/update rewards to match the file
  rewards list [--all]                  the catalog (--all: inactive, archived)
  redeem USER REWARD [--quantity=N] [--request_id=ID]
  redemptions list [--status=pending] [--user=U]   newest first
  approve ID | fulfil ID | reject ID --reason=R | cancel ID --user=U
  tenant show                           the company's settings (JSON)
  tenant create ID [--display_name=N] [--time_zone=Z] [--name=K]   operator
                                        keys: a new company and its first admin key
  tenant list                           operator keys: every company
  tenant set [--display_name=N] [--time_zone=Z] [--retain=D,W,M,Y]
             [--privacy_min_active_users=N] [--periods=all,month,week]
             [--scopes=global,dept:]
                                        change only what is given
  webhooks add ID URL [--kinds=a,b] [--group=dept:x] [--description=D]
                                        an endpoint for the notifications;
                                        prints its signing secret once
  webhooks list | webhooks show ID | webhooks rm ID
  webhooks disable ID | webhooks enable ID   stop / resume its deliveries
  webhooks rotate ID                    a new signing secret (printed once);
                                        the old one signs beside it for a day
  deliveries list WEBHOOK_ID [--failed] its attempts, newest first (--failed:
                                        the dead letters)
  deliveries redeliver WEBHOOK_ID NOTIFICATION_ID   a dead letter again
  notifications tail [--user=U] [--kinds=a,b] [--after=ID]   follow them as
                                        they happen, one line each (id, kind,
                                        users, payload), until Ctrl-C
  notifications list USER [--unread]    the user's inbox, newest first
  notifications read USER [--up_to=ID]  mark read (default: all so far)
)";

// Plaintext, or TLS with the given CA (and a client certificate for mTLS).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const std::string& ca, const std::string& cert, const std::string& key) {
  if (ca.empty()) {
    // A client certificate without TLS would send the API key in clear.
    if (!cert.empty() || !key.empty()) {
      return absl::InvalidArgumentError(
          "tls_cert/tls_key need --tls_ca (the server's CA) to speak TLS");
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions ssl;
  for (auto [path, target] : {std::pair{&ca, &ssl.pem_root_certs},
                              std::pair{&cert, &ssl.pem_cert_chain},
                              std::pair{&key, &ssl.pem_private_key}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> text = plaudit::ReadTextFile(*path);
    if (!text.ok()) return text.status();
    *target = *std::move(text);
  }
  return grpc::SslCredentials(ssl);
}

int UsageError(const std::string& why) {
  std::cerr << "plauditctl: " << why << "\n\n" << kUsage;
  return 2;
}

using Operands = std::vector<std::string>;
using plaudit::ctl::Connection;

absl::StatusOr<plaudit::v1::Role> RoleFlag() {
  return plaudit::ctl::ParseRole(absl::GetFlag(FLAGS_role));
}

// The tenant settings the flags give (create, set).
plaudit::ctl::TenantChange TenantChangeFromFlags() {
  plaudit::ctl::TenantChange change;
  change.display_name = absl::GetFlag(FLAGS_display_name);
  change.time_zone = absl::GetFlag(FLAGS_time_zone);
  change.retention = absl::GetFlag(FLAGS_retain);
  change.privacy_min_active_users =
      absl::GetFlag(FLAGS_privacy_min_active_users);
  change.periods = absl::GetFlag(FLAGS_periods);
  change.scopes = absl::GetFlag(FLAGS_scopes);
  return change;
}

// --kinds, split at commas.
std::vector<std::string> KindsFlag() {
  return absl::StrSplit(absl::GetFlag(FLAGS_kinds), ',', absl::SkipEmpty());
}

// One row per command: its words, how many operands follow them, whether
// it needs -f, and what it runs.
struct Command {
  std::vector<std::string> words;
  size_t operands = 0;
  bool needs_file = false;
  std::function<absl::Status(const Operands&, const Connection&)> run;
};

const std::vector<Command>& Commands() {
  namespace ctl = plaudit::ctl;
  static const std::vector<Command>* commands = [] {
    auto* list = new std::vector<Command>{
        {{"rules", "apply"},
         0,
         true,
         [](const Operands&, const Connection& c) {
           return ctl::RulesApply(c, absl::GetFlag(FLAGS_f),
                                  absl::GetFlag(FLAGS_prune));
         }},
        {{"rules", "list"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           return ctl::RulesList(c);
         }},
        {{"users", "import"},
         0,
         true,
         [](const Operands&, const Connection& c) {
           return ctl::UsersImport(c, absl::GetFlag(FLAGS_f));
         }},
        {{"users", "show"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::UsersShow(c, o[0]);
         }},
        {{"users", "deactivate"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::UsersDeactivate(c, o[0], absl::GetFlag(FLAGS_balance),
                                       absl::GetFlag(FLAGS_keep_past_places),
                                       absl::GetFlag(FLAGS_reason));
         }},
        {{"users", "reactivate"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::UsersReactivate(c, o[0]);
         }},
        {{"users", "erase"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::UsersErase(c, o[0]);
         }},
        {{"events", "send"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           plaudit::v1::Event event;
           event.set_event_id(absl::GetFlag(FLAGS_id));
           event.set_action(absl::GetFlag(FLAGS_action));
           event.set_actor_id(absl::GetFlag(FLAGS_actor_id));
           event.set_subject_id(absl::GetFlag(FLAGS_subject));
           event.set_object_id(absl::GetFlag(FLAGS_object));
           for (absl::string_view tag : absl::StrSplit(
                    absl::GetFlag(FLAGS_tags), ',', absl::SkipEmpty())) {
             event.add_tags(std::string(tag));
           }
           return ctl::EventsSend(c, event);
         }},
        {{"events", "retract"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::EventsRetract(c, o[0]);
         }},
        {{"balance"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::ShowBalance(c, o[0]);
         }},
        {{"history"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::ShowHistory(c, o[0], absl::GetFlag(FLAGS_limit));
         }},
        {{"adjust"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::Adjust(c, o[0], absl::GetFlag(FLAGS_delta),
                              absl::GetFlag(FLAGS_reason),
                              absl::GetFlag(FLAGS_request_id));
         }},
        {{"top"},
         2,
         false,
         [](const Operands& o, const Connection& c) -> absl::Status {
           absl::StatusOr<plaudit::v1::Period> period = ctl::ParsePeriod(o[1]);
           if (!period.ok()) return period.status();
           return ctl::ShowTop(c, o[0], *period, absl::GetFlag(FLAGS_bucket),
                               absl::GetFlag(FLAGS_limit));
         }},
        {{"rank"},
         3,
         false,
         [](const Operands& o, const Connection& c) -> absl::Status {
           absl::StatusOr<plaudit::v1::Period> period = ctl::ParsePeriod(o[2]);
           if (!period.ok()) return period.status();
           return ctl::ShowRank(c, o[0], o[1], *period,
                                absl::GetFlag(FLAGS_bucket),
                                absl::GetFlag(FLAGS_neighbors));
         }},
        {{"hide"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::SetHidden(c, o[0], true);
         }},
        {{"unhide"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::SetHidden(c, o[0], false);
         }},
        {{"keys", "new"},
         0,
         true,
         [](const Operands&, const Connection& c) -> absl::Status {
           absl::StatusOr<plaudit::v1::Role> role = RoleFlag();
           if (!role.ok()) return role.status();
           return ctl::KeysNew(*c.out, absl::GetFlag(FLAGS_f),
                               absl::GetFlag(FLAGS_tenant), *role,
                               absl::GetFlag(FLAGS_name));
         }},
        {{"keys", "create"},
         0,
         false,
         [](const Operands&, const Connection& c) -> absl::Status {
           absl::StatusOr<plaudit::v1::Role> role = RoleFlag();
           if (!role.ok()) return role.status();
           return ctl::KeysCreate(c, *role, absl::GetFlag(FLAGS_name));
         }},
        {{"keys", "list"},
         0,
         false,
         [](const Operands&, const Connection& c) { return ctl::KeysList(c); }},
        {{"keys", "revoke"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::KeysRevoke(c, o[0]);
         }},
        {{"stats"},
         2,
         false,
         [](const Operands& o, const Connection& c) -> absl::Status {
           absl::StatusOr<plaudit::v1::Period> period = ctl::ParsePeriod(o[1]);
           if (!period.ok()) return period.status();
           return ctl::ShowStats(c, o[0], *period, absl::GetFlag(FLAGS_bucket));
         }},
        {{"rewards", "apply"},
         0,
         true,
         [](const Operands&, const Connection& c) {
           return ctl::RewardsApply(c, absl::GetFlag(FLAGS_f));
         }},
        {{"rewards", "list"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           return ctl::RewardsList(c, absl::GetFlag(FLAGS_all));
         }},
        {{"redeem"},
         2,
         false,
         [](const Operands& o, const Connection& c) {
           plaudit::v1::RedeemRequest request;
           request.set_user_id(o[0]);
           request.set_reward_id(o[1]);
           request.set_quantity(absl::GetFlag(FLAGS_quantity));
           std::string request_id = absl::GetFlag(FLAGS_request_id);
           if (request_id.empty()) {
             request_id =
                 absl::StrCat("plauditctl-", absl::ToUnixNanos(absl::Now()));
           }
           request.set_request_id(request_id);
           return ctl::RedeemReward(c, request);
         }},
        {{"tenant", "show"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           return ctl::TenantShow(c);
         }},
        {{"tenant", "create"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::TenantCreate(c, o[0], TenantChangeFromFlags(),
                                    absl::GetFlag(FLAGS_name));
         }},
        {{"tenant", "list"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           return ctl::TenantList(c);
         }},
        {{"tenant", "set"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           return ctl::TenantSet(c, TenantChangeFromFlags());
         }},
        {{"redemptions", "list"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           return ctl::RedemptionsList(c, absl::GetFlag(FLAGS_user),
                                       absl::GetFlag(FLAGS_status));
         }},
        {{"webhooks", "add"},
         2,
         false,
         [](const Operands& o, const Connection& c) {
           plaudit::v1::Webhook webhook;
           webhook.set_webhook_id(o[0]);
           webhook.set_url(o[1]);
           for (const std::string& kind : KindsFlag()) webhook.add_kinds(kind);
           webhook.set_group(absl::GetFlag(FLAGS_group));
           webhook.set_description(absl::GetFlag(FLAGS_description));
           return ctl::WebhooksAdd(c, webhook);
         }},
        {{"webhooks", "list"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           return ctl::WebhooksList(c);
         }},
        {{"webhooks", "show"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::WebhooksShow(c, o[0]);
         }},
        {{"webhooks", "rm"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::WebhooksRemove(c, o[0]);
         }},
        {{"webhooks", "disable"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::WebhooksSetDisabled(c, o[0], true);
         }},
        {{"webhooks", "enable"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::WebhooksSetDisabled(c, o[0], false);
         }},
        {{"webhooks", "rotate"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::WebhooksRotate(c, o[0]);
         }},
        {{"deliveries", "list"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::DeliveriesList(c, o[0], absl::GetFlag(FLAGS_failed));
         }},
        {{"deliveries", "redeliver"},
         2,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::DeliveriesRedeliver(c, o[0], o[1]);
         }},
        {{"notifications", "tail"},
         0,
         false,
         [](const Operands&, const Connection& c) {
           plaudit::v1::WatchNotificationsRequest request;
           request.set_user_id(absl::GetFlag(FLAGS_user));
           for (const std::string& kind : KindsFlag()) request.add_kinds(kind);
           request.set_after(absl::GetFlag(FLAGS_after));
           return ctl::NotificationsTail(c, request);
         }},
        {{"notifications", "list"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::NotificationsList(c, o[0], absl::GetFlag(FLAGS_unread));
         }},
        {{"notifications", "read"},
         1,
         false,
         [](const Operands& o, const Connection& c) {
           return ctl::NotificationsRead(c, o[0], absl::GetFlag(FLAGS_up_to));
         }},
    };
    // A redemption's moves differ only in their word.
    for (const char* action : {"approve", "reject", "fulfil", "cancel"}) {
      list->push_back({{action},
                       1,
                       false,
                       [action = std::string(action)](const Operands& o,
                                                      const Connection& c) {
                         return plaudit::ctl::MoveRedemption(
                             c, action, o[0], absl::GetFlag(FLAGS_reason),
                             absl::GetFlag(FLAGS_user));
                       }});
    }
    return list;
  }();
  return *commands;
}

// The command `args` names, or nullptr.
const Command* Find(const std::vector<std::string>& args) {
  for (const Command& command : Commands()) {
    if (args.size() != command.words.size() + command.operands) continue;
    if (!std::equal(command.words.begin(), command.words.end(), args.begin())) {
      continue;
    }
    if (command.needs_file && absl::GetFlag(FLAGS_f).empty()) continue;
    return &command;
  }
  return nullptr;
}

absl::Status Dispatch(const std::vector<std::string>& args, const Connection& c,
                      int* usage_error) {
  const Command* command = Find(args);
  if (command == nullptr) {
    *usage_error = 1;
    return absl::InvalidArgumentError(
        args.empty() ? "no command given"
                     : absl::StrCat("unknown or incomplete command: ",
                                    absl::StrJoin(args, " ")));
  }
  const Operands operands(args.begin() + command->words.size(), args.end());
  return command->run(operands, c);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(positional.begin() + 1, positional.end());

  plaudit::ctl::Connection connection;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentials(absl::GetFlag(FLAGS_tls_ca),
                         absl::GetFlag(FLAGS_tls_cert),
                         absl::GetFlag(FLAGS_tls_key));
  if (!credentials.ok()) {
    std::cerr << "plauditctl: " << credentials.status().message() << "\n";
    return 2;
  }
  connection.channel =
      grpc::CreateChannel(absl::GetFlag(FLAGS_server), *credentials);
  connection.actor = absl::GetFlag(FLAGS_actor);
  if (connection.actor.empty()) {
    const char* user = std::getenv("USER");
    connection.actor = user != nullptr ? user : "plauditctl";
  }
  connection.out = &std::cout;
  connection.api_key = absl::GetFlag(FLAGS_api_key);
  if (connection.api_key.empty()) {
    const char* key = std::getenv("PLAUDIT_API_KEY");
    if (key != nullptr) connection.api_key = key;
  }

  int usage_error = 0;
  const absl::Status status = Dispatch(args, connection, &usage_error);
  if (usage_error) return UsageError(std::string(status.message()));
  if (!status.ok()) {
    std::cerr << "plauditctl: " << absl::StatusCodeToString(status.code())
              << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}
