// TieredCache: the block cache avafs reads through — a RAM tier in front of an SSD tier.
//
//  - Lookup looks in RAM, then on SSD; an SSD hit is verified (checksum + identity header) before it
//    is returned and is promoted into RAM. A block that fails verification is dropped, counted, and
//    reported as a miss, so the caller fetches it again; it is never served.
//  - Insert puts a freshly fetched block into RAM and writes it to SSD (the SSD tier is inclusive:
//    blocks evicted from RAM stay on SSD).
//  - Each tier has a capacity and high/low watermarks (fractions of capacity). A background evictor
//    brings a tier from above `high` down to `low`; an insert that would push a tier past its
//    capacity evicts synchronously first, so usage never exceeds capacity. Usage counts the cache's
//    own metadata (index entries, block headers), not just block bytes.
//  - Eviction is least-recently-used within a tier.
//  - The SSD tier's index survives restarts (clean or not): a restarted cache serves the blocks it
//    had. Opening does not scan the cache directory, so start-up time does not grow with cache size.
//  - If the SSD directory fails (full disk, I/O errors), the cache logs a warning and goes on RAM-only.
//
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cache/block_key.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"

namespace ava::cache {

struct TierConfig {
  uint64_t capacity_bytes = 0;  // 0 disables the tier
  double high_watermark = 0.9;  // background eviction starts above capacity * high
  double low_watermark = 0.7;   // ... and stops at capacity * low
};

struct CacheConfig {
  TierConfig ram{.capacity_bytes = 1ull << 30, .high_watermark = 0.9, .low_watermark = 0.7};
  TierConfig ssd{.capacity_bytes = 0, .high_watermark = 0.9, .low_watermark = 0.8};
  std::string ssd_dir;  // required when ssd.capacity_bytes > 0; created 0700
  // Validates ranges (0 <= low <= high <= 1, ssd_dir set when the SSD tier is on, …).
  Status Validate() const;
};

struct TierStats {
  uint64_t capacity_bytes = 0;
  uint64_t used_bytes = 0;  // blocks + metadata
  uint64_t blocks = 0;
  uint64_t hits = 0, misses = 0;
  uint64_t hit_bytes = 0;
  uint64_t inserts = 0, insert_bytes = 0;
  uint64_t evictions = 0, evicted_bytes = 0;
  uint64_t corrupt_blocks = 0;  // SSD only: blocks dropped because they failed verification
  bool enabled = true;          // SSD only: false after it was disabled by errors
};

struct CacheStats {
  TierStats ram, ssd;
};

struct CacheEnv {
  Clock* clock = nullptr;              // required
  Logger* logger = nullptr;            // may be null
  MetricsRegistry* metrics = nullptr;  // may be null; metric names are avafs_cache_*
};

class TieredCache {
 public:
  // Opens (and creates) the tiers. Fails on an invalid config or an SSD directory that cannot be
  // created or read; a directory that fills up later only disables the SSD tier.
  static Result<std::unique_ptr<TieredCache>> Open(const CacheConfig& config, const CacheEnv& env);
  virtual ~TieredCache() = default;

  // The block, or nullopt on a miss in every tier.
  virtual std::optional<BlockData> Lookup(const BlockKey& key) = 0;
  // True if the block is in some tier; does not touch LRU order or hit counters.
  virtual bool Contains(const BlockKey& key) = 0;
  virtual void Insert(const BlockKey& key, BlockData data) = 0;
  virtual CacheStats Stats() const = 0;

  // Runs one pass of background eviction now (what the evictor thread does periodically).
  virtual void EvictOnce() = 0;
  // Starts / stops the background evictor and SSD writer threads. Stop() persists the index.
  virtual void Start() = 0;
  virtual void Stop() = 0;
};

}  // namespace ava::cache
