// TieredCache: the block cache avafs reads through — a RAM tier in front of an SSD tier.
//
//  - Lookup looks in RAM, then on SSD; an SSD hit is verified (checksum + identity header) before it
//    is returned and is promoted into RAM. A block that fails verification is dropped, counted, and
//    reported as a miss, so the caller fetches it again; it is never served.
//  - Insert puts a freshly fetched block into RAM and writes it to SSD (the SSD tier is inclusive:
//    blocks evicted from RAM stay on SSD). The SSD write is queued for a writer thread, so Insert
//    never waits for the disk; when the bounded queue is full the SSD copy is dropped (counted in
//    write_drops). A queued block is already served by Lookup.
//  - Each tier has a capacity and high/low watermarks (fractions of capacity). A background evictor
//    brings a tier from above `high` down to `low`; an insert that would push a tier past its
//    capacity evicts synchronously first, so usage never exceeds capacity. Usage counts the cache's
//    own metadata (index entries, block headers), not just block bytes. A block larger than a
//    tier's capacity is not admitted to that tier.
//  - Eviction is least-recently-used within a tier. LRU is simple, O(1) and right for the common
//    case (hot files re-read within an epoch); its known weakness is a dataset larger than the tier
//    read in epochs, which makes LRU evict every block just before it is needed again (docs/cache.md
//    says what would be better).
//  - The SSD tier's index survives restarts (clean or not): a restarted cache serves the blocks it
//    had. Opening does not scan the cache directory, so start-up time does not grow with cache size.
//  - If the SSD directory fails (full disk, I/O errors), the cache logs a warning and goes on RAM-only.
//
// Design and on-disk formats: docs/cache.md. Lock order (no lock is held while calling into
// another component): TieredCache's evictor mutex, RAM tier mutex and SSD tier locks are never
// nested with one another; inside the SSD tier the journal mutex is taken before the tier mutex.
//
// Thread safety: all methods are safe for concurrent use. Start/Stop are idempotent; after Stop(),
// lookups still work, new SSD writes are refused, and no background thread runs. The destructor
// calls Stop().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cache/block_key.h"
#include "cache/cache_config.h"
#include "cache/local_disk.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"

namespace ava::cache {

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
  uint64_t write_drops = 0;     // SSD only: blocks not written because the write queue was full or no room
                                // could be made (only blocks being written)
  bool index_loaded = true;     // SSD only: false while the persistent index is still loading
};

struct CacheStats {
  TierStats ram, ssd;
};

struct CacheEnv {
  Clock* clock = nullptr;              // required
  Logger* logger = nullptr;            // may be null
  MetricsRegistry* metrics = nullptr;  // may be null; metric names are avafs_cache_*
  LocalDisk* disk = nullptr;           // may be null: the machine's file system (tests inject faults)
  // Tests only: runs on the SSD index loader thread before it reads the journal, so a test can hold
  // the cache in its "index still loading" state.
  std::function<void()> before_index_load;
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
  // Blocks until the SSD index has loaded and every SSD write queued before the call has finished
  // (written, dropped or failed). Without Start(), performs the queued writes on the calling thread.
  // For warm-up ("is it on SSD yet?"), shutdown ordering and tests.
  virtual void Flush() {}
};

}  // namespace ava::cache
