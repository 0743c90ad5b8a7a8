#include "store/retry_policy.h"

#include <algorithm>

namespace ava::store {

RetryPolicy::RetryPolicy(RetryOptions options, Clock* clock, Logger* logger, uint64_t seed)
    : options_(options), clock_(clock), logger_(logger), rng_(seed) {}

Nanos RetryPolicy::BackoffCeiling(int retry) const {
  // base * 2^(retry-1), saturating at max_delay without overflowing.
  int64_t ceiling = options_.base_delay.count();
  for (int i = 1; i < retry && ceiling < options_.max_delay.count(); ++i) ceiling *= 2;
  return Nanos(std::min(ceiling, options_.max_delay.count()));
}

Nanos RetryPolicy::BackoffDelay(int retry) {
  int64_t ceiling = BackoffCeiling(retry).count();
  if (ceiling <= 0) return Nanos(0);
  std::uniform_int_distribution<int64_t> dist(0, ceiling);
  std::lock_guard lock(mu_);
  return Nanos(dist(rng_));
}

}  // namespace ava::store
