// The bytes of requests plauditd holds at once, bounded. A unary call whose
// request does not fit is refused at once (RESOURCE_EXHAUSTED, SERVER_BUSY,
// with a retry delay); a stream chunk waits, and its stream is not read
// meanwhile, so HTTP/2 flow control holds the sender back. Whatever
// clients do, parsed requests waiting for Redis cannot grow without bound.
#ifndef PLAUDIT_SERVICES_RPC_REQUEST_BUDGET_H_
#define PLAUDIT_SERVICES_RPC_REQUEST_BUDGET_H_

#include <cstdint>
#include <deque>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace plaudit {

class RequestBudget;

// Bytes taken from a budget, given back when this is destroyed or reset.
class BudgetCharge {
 public:
  BudgetCharge() = default;
  BudgetCharge(RequestBudget* budget, int64_t bytes)
      : budget_(budget), bytes_(bytes) {}
  BudgetCharge(BudgetCharge&& other) noexcept { *this = std::move(other); }
  BudgetCharge& operator=(BudgetCharge&& other) noexcept;
  ~BudgetCharge() { Reset(); }
  void Reset();

 private:
  RequestBudget* budget_ = nullptr;
  int64_t bytes_ = 0;
};

class RequestBudget {
 public:
  // `on_change` (may be empty) hears the bytes in use after each change,
  // and the most ever in use.
  explicit RequestBudget(
      int64_t limit, std::function<void(int64_t, int64_t)> on_change = nullptr)
      : limit_(limit), on_change_(std::move(on_change)) {}

  // Takes `bytes` if they fit now and nobody waits. A request larger than
  // the whole budget fits when nothing else is held.
  bool TryTake(int64_t bytes);
  // Takes `bytes` now (true), or later, in the order asked, and then calls
  // `ready` on the thread that made room (false).
  bool TakeOrWait(int64_t bytes, std::function<void()> ready);
  void Give(int64_t bytes);

  int64_t limit() const { return limit_; }
  int64_t in_use() const;
  // The most ever held at once.
  int64_t peak() const;

 private:
  bool Fits(int64_t bytes) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Took(int64_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  struct Waiter {
    int64_t bytes;
    std::function<void()> ready;
  };
  const int64_t limit_;
  const std::function<void(int64_t, int64_t)> on_change_;
  mutable absl::Mutex mu_;
  int64_t in_use_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t peak_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Waiter> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RPC_REQUEST_BUDGET_H_
