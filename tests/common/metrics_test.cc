#include "common/metrics.h"

#include <thread>
#include <vector>

#include "test_util.h"

namespace ava {
namespace {

TEST(MetricsTest, SameNameAndLabelsIsSameCounter) {
  MetricsRegistry r;
  Counter& a = r.GetCounter("hits_total", "Hits", {{"tier", "ram"}});
  Counter& b = r.GetCounter("hits_total", "Hits", {{"tier", "ram"}});
  Counter& c = r.GetCounter("hits_total", "Hits", {{"tier", "ssd"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(MetricsTest, RendersPrometheusTextThatParsesBack) {
  MetricsRegistry r;
  r.GetCounter("hits_total", "Cache hits", {{"tier", "ram"}}).Inc(3);
  r.GetGauge("used_bytes", "Bytes used").Set(42);
  r.AddCallbackGauge("queue_length", "Queue", {}, [] { return 7.0; });
  Histogram& h = r.GetHistogram("latency_seconds", "Latency", {{"op", "get"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE hits_total counter"), std::string::npos);
  auto m = ParsePrometheusText(text);
  EXPECT_EQ(m["hits_total{tier=\"ram\"}"], 3);
  EXPECT_EQ(m["used_bytes"], 42);
  EXPECT_EQ(m["queue_length"], 7);
  EXPECT_EQ(m["latency_seconds_bucket{op=\"get\",le=\"0.1\"}"], 1);
  EXPECT_EQ(m["latency_seconds_bucket{op=\"get\",le=\"1\"}"], 2);
  EXPECT_EQ(m["latency_seconds_bucket{op=\"get\",le=\"+Inf\"}"], 3);
  EXPECT_EQ(m["latency_seconds_count{op=\"get\"}"], 3);
  EXPECT_DOUBLE_EQ(m["latency_seconds_sum{op=\"get\"}"], 5.55);
}

TEST(MetricsTest, RemovedCallbacksAreNotRendered) {
  MetricsRegistry r;
  int owner = 0;
  r.AddCallbackGauge(
      "g", "G", {}, [] { return 1.0; }, &owner);
  r.RemoveCallbacks(&owner);
  EXPECT_EQ(ParsePrometheusText(r.RenderPrometheus()).count("g"), 0u);
}

TEST(MetricsTest, CountersAreExactUnderConcurrency) {
  MetricsRegistry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r] {
      for (int i = 0; i < 10000; ++i) r.GetCounter("c", "C").Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.GetCounter("c", "C").Value(), 40000u);
}

TEST(MetricsTest, QuantileInterpolatesInsideBuckets) {
  Histogram h({1, 2, 3, 4});
  for (int i = 0; i < 100; ++i) h.Observe(1.5);
  EXPECT_GE(h.Quantile(0.5), 1.0);
  EXPECT_LE(h.Quantile(0.5), 2.0);
  EXPECT_EQ(Histogram({1}).Quantile(0.5), 0);
}

}  // namespace
}  // namespace ava
