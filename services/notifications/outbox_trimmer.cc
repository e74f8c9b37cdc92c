#include "services/notifications/outbox_trimmer.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "services/store/keys.h"
#include "services/store/lua_script.h"
#include "services/store/scripts.h"

namespace plaudit {
OutboxTrimmer::OutboxTrimmer(RedisClient* redis, Clock clock,
                             std::function<std::vector<std::string>()> tenants,
                             OutboxTrimmerOptions options)
    : redis_(redis),
      clock_(std::move(clock)),
      tenants_(std::move(tenants)),
      options_(options),
      thread_([this] { Loop(); }) {}

OutboxTrimmer::~OutboxTrimmer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void OutboxTrimmer::Trim() {
  const absl::Time now = clock_();
  const std::string cutoff =
      absl::StrCat(absl::ToUnixMillis(now - options_.retention));
  const std::string hard =
      absl::StrCat(absl::ToUnixMillis(now - 2 * options_.retention));
  for (const std::string& tenant : tenants_()) {
    const KeySchema keys(tenant);
    absl::StatusOr<RedisValue> trimmed =
        RunScript(*redis_, {&OutboxTrimScript(),
                            {keys.Outbox(), keys.OutboxTrimmed()},
                            {cutoff, hard}});
    if (!trimmed.ok()) {
      LOG_EVERY_N(WARNING, 100)
          << "outbox of " << tenant << ": trimming: " << trimmed.status();
      continue;
    }
    if (options_.length) {
      absl::StatusOr<RedisValue> length = redis_->Run({"XLEN", keys.Outbox()});
      if (length.ok()) options_.length(tenant, length->integer);
    }
  }
}

void OutboxTrimmer::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.every);
      if (stopping_) return;
    }
    Trim();
  }
}

}  // namespace plaudit
