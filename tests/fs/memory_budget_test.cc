#include "fs/memory_budget.h"

#include <atomic>
#include <thread>

#include "test_util.h"

namespace ava::fs {
namespace {

TEST(MemoryBudgetTest, TryAcquireRefusesWhatDoesNotFit) {
  MemoryBudget b(100);
  EXPECT_TRUE(b.TryAcquire(60));
  EXPECT_FALSE(b.TryAcquire(50));
  EXPECT_TRUE(b.TryAcquire(40));
  EXPECT_EQ(b.used(), 100u);
  b.Release(60);
  EXPECT_EQ(b.used(), 40u);
  EXPECT_EQ(b.peak(), 100u);
}

TEST(MemoryBudgetTest, AcquireWaitsForRelease) {
  MemoryBudget b(100);
  ASSERT_TRUE(b.TryAcquire(100));
  std::atomic<bool> got{false};
  std::thread t([&] {
    b.Acquire(30);
    got = true;
  });
  // The waiter cannot proceed while the budget is full (checked by state, not by time).
  EXPECT_FALSE(got.load());
  b.Release(50);
  t.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(b.used(), 80u);
}

TEST(MemoryBudgetTest, OversizedRequestTakesTheWholeBudget) {
  MemoryBudget b(100);
  b.Acquire(1000);
  EXPECT_EQ(b.used(), 100u);
  b.Release(1000);
  EXPECT_EQ(b.used(), 0u);
}

TEST(MemoryBudgetTest, LeaseReleasesOnDestruction) {
  MemoryBudget b(100);
  {
    b.Acquire(70);
    BudgetLease lease(&b, 70);
    EXPECT_EQ(b.used(), 70u);
  }
  EXPECT_EQ(b.used(), 0u);
}

}  // namespace
}  // namespace ava::fs
