#include "common/thread_pool.h"

#include <atomic>

#include "test_util.h"

namespace ava {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskBeforeShutdownReturns) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(3, "test");
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pool.Submit([&ran] { ran.fetch_add(1); }));
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(ThreadPoolTest, SubmitAfterShutdownIsRefused) {
  ThreadPool pool(1);
  pool.Shutdown();
  EXPECT_FALSE(pool.Submit([] {}));
}

}  // namespace
}  // namespace ava
