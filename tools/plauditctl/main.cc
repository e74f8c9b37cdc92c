// plauditctl: the admin CLI for HR and operators. Flags only here.
#include <iostream>

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

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "plauditd address, host:port");
ABSL_FLAG(std::string, actor, "", "Your name, kept in the rules' revision trail");
ABSL_FLAG(std::string, api_key, "",
          "API key (plk....); default: the PLAUDIT_API_KEY environment variable");
ABSL_FLAG(std::string, tenant, "", "keys new: the tenant of the key");
ABSL_FLAG(std::string, tls_ca, "", "TLS: the server's CA (PEM); empty: plaintext");
ABSL_FLAG(std::string, tls_cert, "", "mutual TLS: this client's certificate (PEM)");
ABSL_FLAG(std::string, tls_key, "", "mutual TLS: this client's key (PEM)");
ABSL_FLAG(std::string, role, "", "keys new, keys create: admin, integration, reader");
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
ABSL_FLAG(std::string, reason, "", "adjust, reject: why (shown to the employee)");
ABSL_FLAG(std::string, request_id, "",
          "adjust, redeem: idempotency key (redeem: generated when empty)");
ABSL_FLAG(int, quantity, 1, "redeem: how many units");
ABSL_FLAG(bool, all, false, "rewards list: also inactive and archived rewards");
ABSL_FLAG(std::string, status, "", "redemptions list: pending, approved, ...");
ABSL_FLAG(std::string, user, "", "redemptions list, cancel: the employee");

namespace {

constexpr char kUsage[] = R"(plauditctl [--server=host:port] COMMAND

  rules apply -f rules.json [--prune]   create/update rules to match the file
  rules list                            print all rules as a rules file
  users import -f users.csv             bulk upsert (user_id,display_name,groups)
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

absl::Status Dispatch(const std::vector<std::string>& args,
                      const plaudit::ctl::Connection& c, int* usage_error) {
  using namespace plaudit::ctl;  // NOLINT: the command table reads better
  const std::string command =
      args.size() >= 2 ? args[0] + " " + args[1] : (args.empty() ? "" : args[0]);
  const std::string file = absl::GetFlag(FLAGS_f);
  if (command == "rules apply" && !file.empty()) {
    return RulesApply(c, file, absl::GetFlag(FLAGS_prune));
  }
  if (command == "rules list") return RulesList(c);
  if (command == "users import" && !file.empty()) return UsersImport(c, file);
  if (command == "events send") {
    plaudit::v1::Event event;
    event.set_event_id(absl::GetFlag(FLAGS_id));
    event.set_action(absl::GetFlag(FLAGS_action));
    event.set_actor_id(absl::GetFlag(FLAGS_actor_id));
    event.set_subject_id(absl::GetFlag(FLAGS_subject));
    event.set_object_id(absl::GetFlag(FLAGS_object));
    for (absl::string_view tag :
         absl::StrSplit(absl::GetFlag(FLAGS_tags), ',', absl::SkipEmpty())) {
      event.add_tags(std::string(tag));
    }
    return EventsSend(c, event);
  }
  if (command == "events retract" && args.size() == 3) {
    return EventsRetract(c, args[2]);
  }
  if (args.size() == 2 && args[0] == "balance") return ShowBalance(c, args[1]);
  if (args.size() == 2 && args[0] == "history") {
    return ShowHistory(c, args[1], absl::GetFlag(FLAGS_limit));
  }
  if ((args.size() == 3 && args[0] == "top") ||
      (args.size() == 4 && args[0] == "rank")) {
    const bool top = args[0] == "top";
    absl::StatusOr<plaudit::v1::Period> period = ParsePeriod(args.back());
    if (!period.ok()) return period.status();
    const std::string bucket = absl::GetFlag(FLAGS_bucket);
    if (top) return ShowTop(c, args[1], *period, bucket, absl::GetFlag(FLAGS_limit));
    return ShowRank(c, args[1], args[2], *period, bucket,
                    absl::GetFlag(FLAGS_neighbors));
  }
  if (command == "keys new" && !file.empty()) {
    absl::StatusOr<plaudit::v1::Role> role = ParseRole(absl::GetFlag(FLAGS_role));
    if (!role.ok()) return role.status();
    return KeysNew(*c.out, file, absl::GetFlag(FLAGS_tenant), *role,
                   absl::GetFlag(FLAGS_name));
  }
  if (command == "keys create") {
    absl::StatusOr<plaudit::v1::Role> role = ParseRole(absl::GetFlag(FLAGS_role));
    if (!role.ok()) return role.status();
    return KeysCreate(c, *role, absl::GetFlag(FLAGS_name));
  }
  if (command == "keys list") return KeysList(c);
  if (command == "keys revoke" && args.size() == 3) return KeysRevoke(c, args[2]);
  if (args.size() == 3 && args[0] == "stats") {
    absl::StatusOr<plaudit::v1::Period> period = ParsePeriod(args[2]);
    if (!period.ok()) return period.status();
    return ShowStats(c, args[1], *period, absl::GetFlag(FLAGS_bucket));
  }
  if (args.size() == 2 && (args[0] == "hide" || args[0] == "unhide")) {
    return SetHidden(c, args[1], args[0] == "hide");
  }
  if (command == "rewards apply" && !file.empty()) return RewardsApply(c, file);
  if (command == "rewards list") return RewardsList(c, absl::GetFlag(FLAGS_all));
  if (args.size() == 3 && args[0] == "redeem") {
    plaudit::v1::RedeemRequest request;
    request.set_user_id(args[1]);
    request.set_reward_id(args[2]);
    request.set_quantity(absl::GetFlag(FLAGS_quantity));
    std::string request_id = absl::GetFlag(FLAGS_request_id);
    if (request_id.empty()) {
      request_id = absl::StrCat("plauditctl-", absl::ToUnixNanos(absl::Now()));
    }
    request.set_request_id(request_id);
    return RedeemReward(c, request);
  }
  if (command == "redemptions list") {
    return RedemptionsList(c, absl::GetFlag(FLAGS_user), absl::GetFlag(FLAGS_status));
  }
  if (args.size() == 2 && (args[0] == "approve" || args[0] == "reject" ||
                           args[0] == "fulfil" || args[0] == "cancel")) {
    return MoveRedemption(c, args[0], args[1], absl::GetFlag(FLAGS_reason),
                          absl::GetFlag(FLAGS_user));
  }
  if (args.size() == 2 && args[0] == "adjust") {
    return Adjust(c, args[1], absl::GetFlag(FLAGS_delta),
                  absl::GetFlag(FLAGS_reason), absl::GetFlag(FLAGS_request_id));
  }
  *usage_error = 1;
  return absl::InvalidArgumentError(
      command.empty() ? "no command given"
                      : absl::StrCat("unknown or incomplete command: ",
                                     absl::StrJoin(args, " ")));
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(positional.begin() + 1, positional.end());

  plaudit::ctl::Connection connection;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentials(absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
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
