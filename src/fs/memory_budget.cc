#include "fs/memory_budget.h"

#include <algorithm>

namespace ava::fs {

void MemoryBudget::Acquire(uint64_t bytes) {
  bytes = Clamp(bytes);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return used_ + bytes <= limit_; });
  used_ += bytes;
  peak_ = std::max(peak_, used_);
}

bool MemoryBudget::TryAcquire(uint64_t bytes) {
  bytes = Clamp(bytes);
  std::lock_guard<std::mutex> lock(mu_);
  if (used_ + bytes > limit_) return false;
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return true;
}

void MemoryBudget::Release(uint64_t bytes) {
  bytes = Clamp(bytes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    used_ -= std::min(bytes, used_);
  }
  cv_.notify_all();
}

uint64_t MemoryBudget::used() const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_;
}

uint64_t MemoryBudget::peak() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_;
}

}  // namespace ava::fs
