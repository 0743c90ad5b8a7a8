// TierMetrics: the event counters of one cache tier. Each event updates a local atomic (read by
// TieredCache::Stats) and, when a MetricsRegistry was given, the matching Prometheus counter:
//
//   avafs_cache_hits_total{tier}         avafs_cache_misses_total{tier}
//   avafs_cache_hit_bytes_total{tier}    avafs_cache_inserts_total{tier}
//   avafs_cache_evictions_total{tier}    avafs_cache_evicted_bytes_total{tier}
//   avafs_cache_corrupt_blocks_total     avafs_cache_ssd_write_drops_total   (SSD tier only)
//
// The gauges (used/capacity bytes, ssd_enabled) read live tier state and are registered by
// TieredCache.
//
// Thread safety: all methods are safe for concurrent use (relaxed atomics).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/metrics.h"

namespace ava::cache {

struct TierStats;

class TierMetrics {
 public:
  // `registry` may be null (stats are still kept). `tier` is "ram" or "ssd".
  TierMetrics(MetricsRegistry* registry, const std::string& tier);
  TierMetrics(const TierMetrics&) = delete;
  TierMetrics& operator=(const TierMetrics&) = delete;

  void Hit(uint64_t bytes);
  void Miss();
  void Insert(uint64_t bytes);
  void Evict(uint64_t bytes);
  void Corrupt();
  void WriteDrop();

  // Copies the counters into `stats` (capacity, usage and flags are the tier's to fill).
  void Fill(TierStats* stats) const;

 private:
  struct Pair {
    std::atomic<uint64_t> value{0};
    Counter* exported = nullptr;
    void Add(uint64_t n) {
      value.fetch_add(n, std::memory_order_relaxed);
      if (exported != nullptr) exported->Inc(n);
    }
    uint64_t Get() const { return value.load(std::memory_order_relaxed); }
  };

  Pair hits_, misses_, hit_bytes_, inserts_, insert_bytes_, evictions_, evicted_bytes_, corrupt_,
      write_drops_;
};

}  // namespace ava::cache
