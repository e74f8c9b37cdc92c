#include "services/rpc/request_budget.h"

#include <algorithm>
#include <utility>

namespace plaudit {

BudgetCharge& BudgetCharge::operator=(BudgetCharge&& other) noexcept {
  if (this != &other) {
    Reset();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void BudgetCharge::Resize(int64_t bytes) {
  if (budget_ == nullptr) return;
  if (bytes > bytes_) budget_->Take(bytes - bytes_);
  if (bytes < bytes_) budget_->Give(bytes_ - bytes);
  bytes_ = bytes;
}

void BudgetCharge::Reset() {
  if (budget_ != nullptr) budget_->Give(bytes_);
  budget_ = nullptr;
  bytes_ = 0;
}

RequestBudget::RequestBudget(int64_t limit,
                             std::function<void(int64_t, int64_t)> on_change)
    : limit_(limit),
      stream_limit_(limit / 4 * 3),
      on_change_(std::move(on_change)),
      waker_([this] { RunWaker(); }) {}

RequestBudget::~RequestBudget() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.Signal();
  }
  waker_.join();
}

bool RequestBudget::FitsStream(int64_t bytes) const {
  return in_use_ == 0 || in_use_ + bytes <= stream_limit_;
}

void RequestBudget::Took(int64_t bytes) {
  in_use_ += bytes;
  peak_ = std::max(peak_, in_use_);
  if (on_change_) on_change_(in_use_, peak_);
}

bool RequestBudget::TryTake(int64_t bytes) {
  absl::MutexLock lock(&mu_);
  if (in_use_ != 0 && in_use_ + bytes > limit_) return false;
  Took(bytes);
  return true;
}

bool RequestBudget::TakeOrWait(int64_t bytes, std::function<void()> ready) {
  absl::MutexLock lock(&mu_);
  if (!waiting_.empty() || !FitsStream(bytes)) {
    waiting_.push_back({bytes, std::move(ready)});
    return false;
  }
  Took(bytes);
  return true;
}

void RequestBudget::Take(int64_t bytes) {
  absl::MutexLock lock(&mu_);
  Took(bytes);
}

void RequestBudget::Give(int64_t bytes) {
  absl::MutexLock lock(&mu_);
  in_use_ -= bytes;
  if (on_change_) on_change_(in_use_, peak_);
  WakeFitting();
}

void RequestBudget::WakeFitting() {
  while (!waiting_.empty() && FitsStream(waiting_.front().bytes)) {
    Took(waiting_.front().bytes);
    woken_.push_back(std::move(waiting_.front().ready));
    waiting_.pop_front();
    wake_.Signal();
  }
}

void RequestBudget::RunWaker() {
  while (true) {
    std::vector<std::function<void()>> run;
    {
      absl::MutexLock lock(&mu_);
      // A CondVar, not Mutex::Await: a waiter with a condition would make
      // every call's unlock of mu_ take the slow path.
      while (!stopping_ && woken_.empty()) wake_.Wait(&mu_);
      if (woken_.empty()) return;  // stopping, nothing left to run
      run.swap(woken_);
    }
    for (auto& ready : run) ready();
  }
}

int64_t RequestBudget::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

int64_t RequestBudget::peak() const {
  absl::MutexLock lock(&mu_);
  return peak_;
}

}  // namespace plaudit
