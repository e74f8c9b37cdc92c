// The bytes of requests plauditd holds at once, bounded. A unary call whose
// request does not fit is refused at once (RESOURCE_EXHAUSTED, SERVER_BUSY,
// with a retry delay); a stream chunk waits, and its stream is not read
// meanwhile, so HTTP/2 flow control holds the sender back. Streams may fill
// only part of the budget, so that however many streams wait, unary calls
// still find room. Whatever clients do, parsed requests waiting for Redis
// cannot grow without bound.
#ifndef PLAUDIT_SERVICES_RPC_REQUEST_BUDGET_H_
#define PLAUDIT_SERVICES_RPC_REQUEST_BUDGET_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

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

  int64_t bytes() const { return bytes_; }
  // Now `bytes`: takes more whatever the budget holds, or gives back.
  void Resize(int64_t bytes);
  // Counts `bytes` more that were taken from its budget already.
  void Absorb(int64_t bytes) { bytes_ += bytes; }
  void Reset();

 private:
  RequestBudget* budget_ = nullptr;
  int64_t bytes_ = 0;
};

class RequestBudget {
 public:
  // Streams may hold up to 3/4 of `limit`. `on_change` (may be empty) hears,
  // under the budget's lock, the bytes in use after each change and the
  // most ever in use.
  explicit RequestBudget(
      int64_t limit, std::function<void(int64_t, int64_t)> on_change = nullptr);
  ~RequestBudget();

  // A unary call's bytes, if they fit now. A request larger than the whole
  // budget fits when nothing else is held.
  bool TryTake(int64_t bytes);
  // A stream chunk's bytes: taken now (true), or later, in the order asked,
  // and then `ready` is called on the budget's own thread (false) — never
  // on the thread giving bytes back, which may be a Redis lane.
  bool TakeOrWait(int64_t bytes, std::function<void()> ready);
  // Takes `bytes` whether they fit or not (an answer outgrowing the bytes
  // it was charged); streams wait until the budget is below its limit again.
  void Take(int64_t bytes);
  void Give(int64_t bytes);

  int64_t limit() const { return limit_; }
  int64_t in_use() const;
  int64_t peak() const;

 private:
  bool FitsStream(int64_t bytes) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Took(int64_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Wakes the waiters that fit now (their `ready` goes to the waker).
  void WakeFitting() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunWaker();

  struct Waiter {
    int64_t bytes;
    std::function<void()> ready;
  };
  const int64_t limit_;
  const int64_t stream_limit_;
  const std::function<void(int64_t, int64_t)> on_change_;
  mutable absl::Mutex mu_;
  int64_t in_use_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t peak_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Waiter> waiting_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> woken_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar wake_;  // the waker: woken_ is no longer empty, or stop
  std::thread waker_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_RPC_REQUEST_BUDGET_H_
