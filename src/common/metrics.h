// MetricsRegistry: counters, gauges and histograms with labels, rendered in the Prometheus text
// format for /metrics. Registration (Get*) takes a lock and returns a reference that stays valid
// for the registry's lifetime; updating a metric through that reference is lock-free, so hot paths
// look a metric up once and keep the reference.
//
//   Counter& hits = registry.GetCounter("avafs_cache_hits_total", "Cache hits", {{"tier", "ram"}});
//   hits.Inc();
//
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/thread_annotations.h"

namespace ava {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Cumulative histogram with fixed upper bounds (the +Inf bucket is implicit).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is the +Inf bucket).
  uint64_t BucketCount(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  // Estimated q-quantile (0..1) by linear interpolation inside the bucket; 0 when empty.
  double Quantile(double q) const;

  // Latency buckets in seconds, 50 µs to 30 s.
  static std::vector<double> LatencyBounds();

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The same (name, labels) always returns the same metric. `help` is kept from the first call.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          std::vector<double> bounds = Histogram::LatencyBounds());
  // A gauge whose value is read from `fn` at render time (memory in use, queue length…). `fn` must
  // stay callable for the registry's lifetime, or until RemoveCallbacks(owner) is called.
  void AddCallbackGauge(std::string_view name, std::string_view help, const Labels& labels,
                        std::function<double()> fn, const void* owner = nullptr);
  void RemoveCallbacks(const void* owner);

  std::string RenderPrometheus() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    // Keyed by the rendered label set, e.g. {tier="ram"}.
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::map<std::string, std::pair<const void*, std::function<double()>>> callbacks;
  };
  Family& FamilyLocked(std::string_view name, std::string_view help, Kind kind) REQUIRES(mu_);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_ GUARDED_BY(mu_);
};

// `{a="x",b="y"}` with values escaped; "" for no labels.
std::string RenderLabels(const Labels& labels);

// Parses Prometheus text into "name{labels}" → value (comments skipped). For `avafs stats` and tests.
std::map<std::string, double> ParsePrometheusText(std::string_view text);

}  // namespace ava
