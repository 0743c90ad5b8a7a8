// RamTier: the in-memory tier — blocks held as shared immutable strings, evicted least recently
// used first.
//
// Usage charged per block (RamTier::Charge): the block's heap buffer (its capacity), the string
// object and shared_ptr control block that own it, and the index entry (LruIndex::
// EntryMetadataBytes: list and hash nodes plus the key's strings). A tier of tiny blocks fills up
// on metadata, as it should.
//
// Limits: Insert makes room synchronously (evicting least recently used blocks) so usage never
// exceeds capacity, and refuses a block whose charge alone exceeds it. EvictOnce is the watermark
// pass: above capacity*high it evicts until usage <= capacity*low, and no further. When an insert
// leaves usage above capacity*high, `on_high` is called (outside the lock) to wake the evictor.
//
// Errors: none; a refused block is simply not cached. Thread safety: all methods are safe for
// concurrent use; one mutex guards the index and is never held while calling out (evicted blocks
// are released after it is dropped).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "cache/block_key.h"
#include "cache/cache_config.h"
#include "cache/lru_index.h"
#include "cache/tier_metrics.h"
#include "common/thread_annotations.h"

namespace ava::cache {

struct TierStats;

class RamTier {
 public:
  // `metrics` must outlive the tier; `on_high` may be empty.
  RamTier(const TierConfig& config, TierMetrics* metrics, std::function<void()> on_high);
  RamTier(const RamTier&) = delete;
  RamTier& operator=(const RamTier&) = delete;

  // The block (now most recently used), or nullopt. Counts a hit or a miss.
  std::optional<BlockData> Lookup(const BlockKey& key);
  // True if held; recency and counters unchanged.
  bool Contains(const BlockKey& key) const;
  // Adds the block (evicting to make room). A key already held is only made most recent.
  void Insert(const BlockKey& key, BlockData data);
  // One watermark pass; see above.
  void EvictOnce();

  uint64_t used_bytes() const;
  uint64_t capacity_bytes() const { return config_.capacity_bytes; }
  void FillStats(TierStats* stats) const;

  // What a block costs this tier.
  static uint64_t Charge(const BlockKey& key, const BlockData& data);

 private:
  // Evicts least recently used blocks until usage <= target; moves them to *released so their
  // memory is freed after the lock is dropped.
  void EvictToLocked(uint64_t target, std::vector<BlockData>* released) REQUIRES(mu_);

  const TierConfig config_;
  TierMetrics* const metrics_;
  const std::function<void()> on_high_;

  mutable std::mutex mu_;
  LruIndex<BlockData> index_ GUARDED_BY(mu_);
};

}  // namespace ava::cache
