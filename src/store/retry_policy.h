// RetryPolicy: runs an operation again while it fails with a retryable Status, with exponential
// backoff and full jitter (sleep a uniform random time in [0, min(max_delay, base_delay * 2^n)],
// AWS's recommended scheme, so many clients hitting a throttled server spread out). Sleeps go
// through the injected Clock, so tests with a FakeClock run instantly and can check the delays.
//
// Only errors with retryable() set are retried; anything else is returned at once. When the
// attempts run out, the last error is returned with "after N attempts" added, still retryable, so
// a caller higher up (the write-back queue) may try again later.
//
// Thread safety: Run and BackoffDelay may be called from many threads (the jitter source is
// guarded by a mutex).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/logging.h"
#include "common/result.h"
#include "common/thread_annotations.h"

namespace ava::store {

struct RetryOptions {
  int max_attempts = 4;  // total tries, including the first; 1 = no retry
  Nanos base_delay = std::chrono::milliseconds(50);
  Nanos max_delay = std::chrono::seconds(5);
};

class RetryPolicy {
 public:
  // `clock` and `logger` (may be null) must outlive the policy. `seed` fixes the jitter for tests.
  RetryPolicy(RetryOptions options, Clock* clock, Logger* logger = nullptr,
              uint64_t seed = std::random_device{}());

  // The delay before retry number `retry` (1 for the first retry).
  Nanos BackoffDelay(int retry);
  // The upper bound BackoffDelay(retry) draws from.
  Nanos BackoffCeiling(int retry) const;

  const RetryOptions& options() const { return options_; }

  // Calls `fn` (returning Status or Result<T>) until it succeeds, fails for good, or runs out of
  // attempts. `what` names the operation in logs and in the final error.
  template <typename F>
  auto Run(std::string_view what, F&& fn) -> decltype(fn()) {
    for (int attempt = 1;; ++attempt) {
      auto result = fn();
      const Status& s = ::ava::internal::ToStatus(result);
      if (s.ok() || !s.retryable()) return result;
      if (attempt >= options_.max_attempts) {
        if (options_.max_attempts <= 1) return result;
        return s.Annotate(fmt::format("{} failed after {} attempts", what, attempt));
      }
      Nanos delay = BackoffDelay(attempt);
      AVA_LOG(logger_, kWarn, "store", "{}: {} (attempt {} of {}); retrying in {} ms", what, s.ToString(),
              attempt, options_.max_attempts,
              std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
      clock_->SleepFor(delay);
    }
  }

 private:
  const RetryOptions options_;
  Clock* const clock_;
  Logger* const logger_;
  std::mutex mu_;
  std::mt19937_64 rng_ GUARDED_BY(mu_);
};

}  // namespace ava::store
