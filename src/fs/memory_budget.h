// MemoryBudget: the one bound on bytes avafs holds in fetch buffers, shared by every handle and by
// warm-up (mountpoint-s3 and JuiceFS both OOMed with per-handle limits). Demand reads wait for room
// (backpressure); prefetch only takes room that is free and otherwise skips.
//
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "common/thread_annotations.h"

namespace ava::fs {

class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit_bytes) : limit_(limit_bytes) {}

  // Waits until `bytes` fit. A request larger than the whole budget waits for an empty budget and
  // then takes all of it, so one huge read can always make progress.
  void Acquire(uint64_t bytes);
  // Takes `bytes` only if they fit now.
  bool TryAcquire(uint64_t bytes);
  void Release(uint64_t bytes);

  uint64_t used() const;
  uint64_t limit() const { return limit_; }
  // Highest `used` seen since construction.
  uint64_t peak() const;

 private:
  uint64_t Clamp(uint64_t bytes) const { return bytes > limit_ ? limit_ : bytes; }

  const uint64_t limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t used_ GUARDED_BY(mu_) = 0;
  uint64_t peak_ GUARDED_BY(mu_) = 0;
};

// Holds budget and gives it back when destroyed.
class BudgetLease {
 public:
  BudgetLease() = default;
  BudgetLease(MemoryBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
  ~BudgetLease() { Reset(); }
  BudgetLease(BudgetLease&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.budget_ = nullptr; }
  BudgetLease& operator=(BudgetLease&& o) noexcept {
    if (this != &o) {
      Reset();
      budget_ = o.budget_;
      bytes_ = o.bytes_;
      o.budget_ = nullptr;
    }
    return *this;
  }
  BudgetLease(const BudgetLease&) = delete;
  BudgetLease& operator=(const BudgetLease&) = delete;
  void Reset() {
    if (budget_ != nullptr) budget_->Release(bytes_);
    budget_ = nullptr;
  }
  // What this lease holds (0 once reset or when empty).
  uint64_t bytes() const { return budget_ == nullptr ? 0 : bytes_; }

 private:
  MemoryBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace ava::fs
