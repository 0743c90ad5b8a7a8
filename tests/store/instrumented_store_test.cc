#include "store/instrumented_store.h"

#include <gtest/gtest.h>

#include "store/fault_injecting_store.h"
#include "store/memory_store.h"
#include "test_util.h"

namespace ava::store {
namespace {

using namespace std::chrono_literals;

TEST(InstrumentedStoreTest, CountsRequestsErrorsBytesAndLatency) {
  MemoryStore mem("m");
  FakeClock clock;
  FaultInjectingStore slow(&mem, &clock);
  slow.SetLatency(StoreOp::kGet, 20ms);
  MetricsRegistry metrics;
  InstrumentedStore store(&slow, &metrics, &clock);
  EXPECT_EQ(store.Describe(), "mem://m");

  ASSERT_OK(store.Put("a", "12345"));
  ASSERT_OK(store.Get({.key = "a", .offset = 1, .length = 3}));
  EXPECT_STATUS(store.Head("missing"), kNotFound);
  auto upload = store.StartMultipart("mp");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->UploadPart(1, "xy"));
  ASSERT_OK((*upload)->Complete());

  auto m = ParsePrometheusText(metrics.RenderPrometheus());
  EXPECT_EQ(m["avafs_backend_requests_total{store=\"mem://m\",op=\"put\"}"], 1);
  EXPECT_EQ(m["avafs_backend_requests_total{store=\"mem://m\",op=\"get\"}"], 1);
  EXPECT_EQ(m["avafs_backend_requests_total{store=\"mem://m\",op=\"head\"}"], 1);
  EXPECT_EQ(m["avafs_backend_requests_total{store=\"mem://m\",op=\"multipart\"}"], 3);
  EXPECT_EQ(m["avafs_backend_errors_total{store=\"mem://m\",op=\"head\",code=\"NotFound\"}"], 1);
  EXPECT_EQ(m["avafs_backend_bytes_total{store=\"mem://m\",direction=\"in\"}"], 3);
  EXPECT_EQ(m["avafs_backend_bytes_total{store=\"mem://m\",direction=\"out\"}"], 7);
  EXPECT_EQ(m["avafs_backend_request_seconds_count{store=\"mem://m\",op=\"get\"}"], 1);
  EXPECT_DOUBLE_EQ(m["avafs_backend_request_seconds_sum{store=\"mem://m\",op=\"get\"}"], 0.02);
}

}  // namespace
}  // namespace ava::store
