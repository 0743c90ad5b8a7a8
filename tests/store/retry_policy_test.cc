#include "store/retry_policy.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava::store {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicyTest, RetriesRetryableErrorsThenSucceeds) {
  FakeClock clock;
  RetryPolicy policy({.max_attempts = 4, .base_delay = 100ms, .max_delay = 1s}, &clock, nullptr, 1);
  int calls = 0;
  Nanos start = clock.Now();
  Result<int> r = policy.Run("op", [&]() -> Result<int> {
    if (++calls < 3) return Status::Unavailable("503");
    return 42;
  });
  ASSERT_OK(r);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(calls, 3);
  // Two sleeps, each within its ceiling (100ms, then 200ms).
  EXPECT_LE(clock.Now() - start, 300ms);
}

TEST(RetryPolicyTest, DoesNotRetryPermanentErrors) {
  FakeClock clock;
  RetryPolicy policy({.max_attempts = 5}, &clock);
  int calls = 0;
  Nanos start = clock.Now();
  Status s = policy.Run("op", [&] {
    ++calls;
    return Status::NotFound("gone");
  });
  EXPECT_STATUS(s, kNotFound);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(clock.Now(), start);
}

TEST(RetryPolicyTest, ExhaustedAttemptsReturnTheLastErrorStillRetryable) {
  FakeClock clock;
  RetryPolicy policy({.max_attempts = 3, .base_delay = 10ms, .max_delay = 1s}, &clock);
  int calls = 0;
  Status s = policy.Run("get s3://b/k", [&] {
    ++calls;
    return Status::Unavailable("cannot reach http://127.0.0.1:1: connection refused");
  });
  EXPECT_EQ(calls, 3);
  EXPECT_STATUS(s, kUnavailable);
  EXPECT_TRUE(s.retryable());
  EXPECT_NE(s.message().find("after 3 attempts"), std::string::npos) << s;
  EXPECT_NE(s.message().find("connection refused"), std::string::npos) << s;
}

TEST(RetryPolicyTest, BackoffIsFullJitterUnderAnExponentialCeiling) {
  FakeClock clock;
  RetryPolicy policy({.max_attempts = 10, .base_delay = 50ms, .max_delay = 2s}, &clock, nullptr, 7);
  EXPECT_EQ(policy.BackoffCeiling(1), 50ms);
  EXPECT_EQ(policy.BackoffCeiling(2), 100ms);
  EXPECT_EQ(policy.BackoffCeiling(3), 200ms);
  EXPECT_EQ(policy.BackoffCeiling(6), 1600ms);
  EXPECT_EQ(policy.BackoffCeiling(7), 2s);
  EXPECT_EQ(policy.BackoffCeiling(60), 2s);  // no overflow
  for (int retry = 1; retry <= 8; ++retry) {
    Nanos lo = policy.BackoffCeiling(retry), hi{0};
    for (int i = 0; i < 200; ++i) {
      Nanos d = policy.BackoffDelay(retry);
      ASSERT_GE(d.count(), 0);
      ASSERT_LE(d, policy.BackoffCeiling(retry));
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // Jitter really spreads over the interval, not stuck at one end.
    EXPECT_LT(lo, policy.BackoffCeiling(retry) / 4) << retry;
    EXPECT_GT(hi, policy.BackoffCeiling(retry) * 3 / 4) << retry;
  }
}

TEST(RetryPolicyTest, OneAttemptMeansNoRetry) {
  FakeClock clock;
  RetryPolicy policy({.max_attempts = 1}, &clock);
  int calls = 0;
  Status s = policy.Run("op", [&] {
    ++calls;
    return Status::Unavailable("503");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.message(), "503");
}

}  // namespace
}  // namespace ava::store
