#include "services/rpc/request_budget.h"

#include <algorithm>
#include <vector>

namespace plaudit {

BudgetCharge& BudgetCharge::operator=(BudgetCharge&& other) noexcept {
  if (this != &other) {
    Reset();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void BudgetCharge::Reset() {
  if (budget_ != nullptr) budget_->Give(bytes_);
  budget_ = nullptr;
  bytes_ = 0;
}

bool RequestBudget::Fits(int64_t bytes) const {
  return in_use_ == 0 || in_use_ + bytes <= limit_;
}

void RequestBudget::Took(int64_t bytes) {
  in_use_ += bytes;
  peak_ = std::max(peak_, in_use_);
}

bool RequestBudget::TryTake(int64_t bytes) {
  int64_t now, peak;
  {
    absl::MutexLock lock(&mu_);
    if (!waiting_.empty() || !Fits(bytes)) return false;
    Took(bytes);
    now = in_use_;
    peak = peak_;
  }
  if (on_change_) on_change_(now, peak);
  return true;
}

bool RequestBudget::TakeOrWait(int64_t bytes, std::function<void()> ready) {
  int64_t now, peak;
  {
    absl::MutexLock lock(&mu_);
    if (!waiting_.empty() || !Fits(bytes)) {
      waiting_.push_back({bytes, std::move(ready)});
      return false;
    }
    Took(bytes);
    now = in_use_;
    peak = peak_;
  }
  if (on_change_) on_change_(now, peak);
  return true;
}

void RequestBudget::Give(int64_t bytes) {
  std::vector<std::function<void()>> ready;
  int64_t now, peak;
  {
    absl::MutexLock lock(&mu_);
    in_use_ -= bytes;
    while (!waiting_.empty() && Fits(waiting_.front().bytes)) {
      Took(waiting_.front().bytes);
      ready.push_back(std::move(waiting_.front().ready));
      waiting_.pop_front();
    }
    now = in_use_;
    peak = peak_;
  }
  if (on_change_) on_change_(now, peak);
  for (auto& go : ready) go();
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
