#include "services/notifications/digest_scheduler.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"
#include "services/store/keys.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"

namespace plaudit {
namespace {

// Marks outlive the day they mark by long enough for any replica.
constexpr absl::Duration kMarkKept = absl::Hours(72);

std::string Ms(absl::Time t) { return absl::StrCat(absl::ToUnixMillis(t)); }

}  // namespace

DigestScheduler::DigestScheduler(
    RedisClient* redis, Clock clock,
    std::function<std::vector<std::string>()> tenants,
    std::function<absl::StatusOr<DigestTenant>(const std::string&)> tenant,
    DigestOptions options)
    : redis_(redis),
      clock_(std::move(clock)),
      tenants_(std::move(tenants)),
      tenant_(std::move(tenant)),
      options_(options),
      thread_([this] { Loop(); }) {}

DigestScheduler::~DigestScheduler() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

int DigestScheduler::Run() {
  const absl::Time now = clock_();
  int made = 0;
  for (const std::string& tenant : tenants_()) made += RunTenant(tenant, now);
  return made;
}

int DigestScheduler::RunTenant(const std::string& tenant, absl::Time now) {
  absl::StatusOr<DigestTenant> about = tenant_(tenant);
  if (!about.ok()) return 0;
  // Yesterday, as the tenant's calendar has it.
  const absl::CivilDay today = absl::ToCivilDay(now, about->zone);
  const absl::CivilDay yesterday = today - 1;
  const absl::Time start = absl::FromCivil(yesterday, about->zone);
  const absl::Time end = absl::FromCivil(today, about->zone);
  const std::string day = absl::StrFormat("%04d-%02d-%02d", yesterday.year(),
                                          yesterday.month(), yesterday.day());
  const KeySchema keys(tenant);
  RedisReplies sets = redis_->RunPipeline(
      {{"SMEMBERS", keys.Managers()}, {"SMEMBERS", keys.Digested(day)}});
  if (!sets.ok() || (*sets)[0].is_error() || (*sets)[1].is_error()) return 0;
  std::set<std::string> told;
  for (const RedisValue& m : (*sets)[1].elements) told.insert(m.str);
  std::vector<std::string> due;
  for (const RedisValue& m : (*sets)[0].elements) {
    if (told.count(m.str) == 0) due.push_back(m.str);
  }
  std::sort(due.begin(), due.end());
  if (static_cast<int>(due.size()) > options_.per_pass) due.resize(options_.per_pass);
  std::vector<std::string> rules = {
      absl::StrCat(about->rule_actions.size())};
  for (const auto& [rule, action] : about->rule_actions) {
    rules.push_back(rule);
    rules.push_back(action);
  }
  int made = 0;
  for (const std::string& manager : due) {
    std::vector<std::string> args = {
        keys.prefix(), manager,  day,
        Ms(start),     Ms(end),  Ms(now),
        absl::StrCat(absl::ToInt64Milliseconds(kMarkKept))};
    args.insert(args.end(), rules.begin(), rules.end());
    absl::StatusOr<RedisValue> reply =
        RunScript(*redis_, {&DigestScript(), {keys.Digested(day)}, args});
    if (!reply.ok()) {
      LOG_EVERY_N(WARNING, 100) << "digest of " << tenant << "/" << manager
                                << ": " << reply.status();
      return made;  // Redis away: the next pass goes on
    }
    made += reply->str == "OK";
  }
  return made;
}

void DigestScheduler::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.every);
      if (stopping_) return;
    }
    Run();
  }
}

}  // namespace plaudit
