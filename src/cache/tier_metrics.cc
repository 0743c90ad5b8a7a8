#include "cache/tier_metrics.h"

#include "cache/tiered_cache.h"

namespace ava::cache {

TierMetrics::TierMetrics(MetricsRegistry* registry, const std::string& tier) {
  if (registry == nullptr) return;
  Labels labels = {{"tier", tier}};
  hits_.exported =
      &registry->GetCounter("avafs_cache_hits_total", "Block cache lookups served by the tier", labels);
  misses_.exported = &registry->GetCounter("avafs_cache_misses_total",
                                           "Block cache lookups the tier could not serve", labels);
  hit_bytes_.exported =
      &registry->GetCounter("avafs_cache_hit_bytes_total", "Bytes of blocks served by the tier", labels);
  inserts_.exported = &registry->GetCounter("avafs_cache_inserts_total", "Blocks added to the tier", labels);
  evictions_.exported = &registry->GetCounter("avafs_cache_evictions_total",
                                              "Blocks evicted from the tier to make room", labels);
  evicted_bytes_.exported =
      &registry->GetCounter("avafs_cache_evicted_bytes_total", "Charged bytes evicted from the tier", labels);
  if (tier == "ssd") {
    corrupt_.exported =
        &registry->GetCounter("avafs_cache_corrupt_blocks_total",
                              "SSD blocks dropped because they failed checksum or identity checks");
    write_drops_.exported = &registry->GetCounter(
        "avafs_cache_ssd_write_drops_total", "Blocks not written to SSD because the write queue was full");
  }
}

void TierMetrics::Hit(uint64_t bytes) {
  hits_.Add(1);
  hit_bytes_.Add(bytes);
}
void TierMetrics::Miss() { misses_.Add(1); }
void TierMetrics::Insert(uint64_t bytes) {
  inserts_.Add(1);
  insert_bytes_.Add(bytes);
}
void TierMetrics::Evict(uint64_t bytes) {
  evictions_.Add(1);
  evicted_bytes_.Add(bytes);
}
void TierMetrics::Corrupt() { corrupt_.Add(1); }
void TierMetrics::WriteDrop() { write_drops_.Add(1); }

void TierMetrics::Fill(TierStats* s) const {
  s->hits = hits_.Get();
  s->misses = misses_.Get();
  s->hit_bytes = hit_bytes_.Get();
  s->inserts = inserts_.Get();
  s->insert_bytes = insert_bytes_.Get();
  s->evictions = evictions_.Get();
  s->evicted_bytes = evicted_bytes_.Get();
  s->corrupt_blocks = corrupt_.Get();
  s->write_drops = write_drops_.Get();
}

}  // namespace ava::cache
