#include "store/fault_injecting_store.h"

#include <gtest/gtest.h>

#include <vector>

#include "store/memory_store.h"
#include "test_util.h"

namespace ava::store {
namespace {

using namespace std::chrono_literals;

TEST(FaultInjectingStoreTest, CountsCallsAndBytes) {
  MemoryStore mem("t");
  FaultInjectingStore store(&mem);
  ASSERT_OK(store.Put("a", "hello"));
  ASSERT_OK(store.Get({.key = "a"}));
  ASSERT_OK(store.Get({.key = "a", .offset = 1, .length = 2}));
  EXPECT_STATUS(store.Head("missing"), kNotFound);
  ASSERT_OK(store.List({}));
  EXPECT_EQ(store.Count(StoreOp::kPut), 1u);
  EXPECT_EQ(store.Count(StoreOp::kGet), 2u);
  EXPECT_EQ(store.Count(StoreOp::kHead), 1u);
  EXPECT_EQ(store.Count(StoreOp::kList), 1u);
  EXPECT_EQ(store.BytesWritten(), 5u);
  EXPECT_EQ(store.BytesRead(), 7u);
  store.ResetCounts();
  EXPECT_EQ(store.Count(StoreOp::kGet), 0u);
  EXPECT_EQ(store.BytesRead(), 0u);
}

TEST(FaultInjectingStoreTest, FailNextFailsExactlyThatManyCallsWithoutReachingTheTarget) {
  MemoryStore mem("t");
  FaultInjectingStore store(&mem);
  ASSERT_OK(store.Put("a", "x"));
  store.FailNext(StoreOp::kGet, Status::Unavailable("injected"), 2);
  EXPECT_STATUS(store.Get({.key = "a"}), kUnavailable);
  Result<GetResult> second = store.Get({.key = "a"});
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().retryable());
  ASSERT_OK(store.Get({.key = "a"}));
  EXPECT_EQ(store.Count(StoreOp::kGet), 3u);

  // A failed Put must not have written anything.
  store.FailNext(StoreOp::kPut, Status::IOError("disk on fire"));
  EXPECT_STATUS(store.Put("b", "y"), kIOError);
  EXPECT_STATUS(mem.Head("b"), kNotFound);
}

TEST(FaultInjectingStoreTest, FailAlwaysUntilCleared) {
  MemoryStore mem("t");
  FaultInjectingStore store(&mem);
  store.FailAlways(StoreOp::kList, Status::PermissionDenied("no"));
  for (int i = 0; i < 5; ++i) EXPECT_STATUS(store.List({}), kPermissionDenied);
  store.ClearFaults();
  ASSERT_OK(store.List({}));
}

TEST(FaultInjectingStoreTest, MultipartCallsAreCountedAndCanFail) {
  MemoryStore mem("t");
  FaultInjectingStore store(&mem);
  auto upload = store.StartMultipart("big");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->UploadPart(1, "abc"));
  store.FailNext(StoreOp::kCompleteMultipart, Status::Unavailable("injected"));
  EXPECT_STATUS((*upload)->Complete(), kUnavailable);
  ASSERT_OK((*upload)->Complete());
  EXPECT_EQ(store.Count(StoreOp::kStartMultipart), 1u);
  EXPECT_EQ(store.Count(StoreOp::kUploadPart), 1u);
  EXPECT_EQ(store.Count(StoreOp::kCompleteMultipart), 2u);
  EXPECT_EQ(store.BytesWritten(), 3u);
}

TEST(FaultInjectingStoreTest, LatencySleepsOnTheInjectedClock) {
  MemoryStore mem("t");
  FakeClock clock;
  FaultInjectingStore store(&mem, &clock);
  store.SetLatency(StoreOp::kHead, 250ms);
  Nanos before = clock.Now();
  EXPECT_STATUS(store.Head("a"), kNotFound);
  EXPECT_STATUS(store.Head("a"), kNotFound);
  EXPECT_EQ(clock.Now() - before, 500ms);
  ASSERT_OK(store.Put("a", "x"));
  EXPECT_EQ(clock.Now() - before, 500ms);  // no latency set for Put
}

TEST(FaultInjectingStoreTest, HookSeesEveryCallInOrder) {
  MemoryStore mem("t");
  FaultInjectingStore store(&mem);
  std::vector<std::string> seen;
  store.SetHook(
      [&](StoreOp op, const std::string& key) { seen.push_back(std::string(StoreOpName(op)) + ":" + key); });
  ASSERT_OK(store.Put("k", "v"));
  ASSERT_OK(store.Copy("k", "k2"));
  ASSERT_OK(store.Delete("k"));
  store.SetHook(nullptr);
  ASSERT_OK(store.Delete("k2"));
  EXPECT_EQ(seen, (std::vector<std::string>{"put:k", "copy:k2", "delete:k"}));
}

}  // namespace
}  // namespace ava::store
