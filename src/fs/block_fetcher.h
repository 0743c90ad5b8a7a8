// BlockFetcher: turns "bytes of this object version" into cache blocks, fetching what is missing.
//
//  - Blocks come from the TieredCache when present; otherwise ranged GETs fetch them, several
//    consecutive missing blocks in one GET of up to `max_request_bytes`, and separate runs in
//    parallel on the fetch pool (the caller's thread runs the first run itself).
//  - Single flight: a block being fetched is never fetched twice at once; later readers wait for
//    the first fetch.
//  - Memory: bytes being fetched are charged to the shared MemoryBudget until they are in the
//    cache. A demand read takes its whole charge at once before any fetch starts (so readers
//    cannot deadlock holding part of it); prefetch only uses free budget and is skipped otherwise;
//    pool tasks never wait for budget.
//
// Thread safety: all methods are safe for concurrent use. Lock order: BlockFetcher::mu_ before the
// cache's own locks (TieredCache::Contains is called under it); it is never held while calling the
// store, the pool, or any cache method that touches the disk.
#pragma once

#include <cstdint>
#include <future>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "cache/block_key.h"
#include "cache/tiered_cache.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/thread_pool.h"
#include "fs/memory_budget.h"
#include "fs/object_version.h"

namespace ava::fs {

struct FetcherConfig {
  uint64_t block_size = 1 << 20;
  uint64_t max_request_bytes = 8 << 20;  // a multiple of block_size
};

class BlockFetcher {
 public:
  BlockFetcher(FetcherConfig config, cache::TieredCache* cache, ThreadPool* pool, MemoryBudget* budget,
               MetricsRegistry* metrics, Logger* logger);

  uint64_t block_size() const { return config_.block_size; }
  uint64_t BlockCount(const ObjectVersion& obj) const;
  cache::BlockKey KeyFor(const ObjectVersion& obj, uint64_t index) const;

  // Blocks `first`..`last` (inclusive, clamped to the object) in order; waits for fetches.
  Result<std::vector<cache::BlockData>> Get(const ObjectVersion& obj, uint64_t first, uint64_t last);
  // Starts background fetches of blocks `first`..`last` that are neither cached nor in flight.
  // Returns the number of blocks started (0 if the budget had no room).
  size_t Prefetch(const ObjectVersion& obj, uint64_t first, uint64_t last);
  // Fetches every block of `obj` that is not cached, several runs in parallel, waiting for all of
  // them and for the SSD tier to take them; blocks only on SSD are brought into RAM. Returns the bytes
  // fetched from the store (0 when everything was cached already).
  Result<uint64_t> Warm(const ObjectVersion& obj);
  // Waits until the cache's SSD tier has written what was inserted so far (warm-up backpressure).
  void WaitForCacheWrites() { cache_->Flush(); }

 private:
  using BlockFuture = std::shared_future<Result<cache::BlockData>>;
  struct Run {
    uint64_t first = 0;
    uint64_t last = 0;
    std::vector<std::promise<Result<cache::BlockData>>> promises;
    std::vector<BlockFuture> futures;  // futures[j] belongs to promises[j]
    uint64_t Bytes(const BlockFetcher& f, const ObjectVersion& obj) const;
  };
  // Blocks of [first, last] that are neither cached nor in flight become runs (registered as in
  // flight); blocks in flight are returned in `waits`; cached ones in `hits`.
  struct Plan {
    std::vector<std::pair<uint64_t, cache::BlockData>> hits;
    std::vector<std::pair<uint64_t, BlockFuture>> waits;
    std::vector<Run> runs;
  };
  Plan MakePlan(const ObjectVersion& obj, uint64_t first, uint64_t last, bool look_in_cache);
  // One ranged GET for the run, blocks into the cache, promises fulfilled, in-flight entries gone.
  void ExecuteRun(const ObjectVersion& obj, Run& run);
  uint64_t BlockLength(const ObjectVersion& obj, uint64_t index) const;

  static constexpr uint64_t kWarmFlushBytes = 32ull << 20;

  const FetcherConfig config_;
  cache::TieredCache* const cache_;
  ThreadPool* const pool_;
  MemoryBudget* const budget_;
  Logger* const logger_;
  Counter* requests_ = nullptr;
  Counter* fetched_bytes_ = nullptr;
  Counter* prefetched_blocks_ = nullptr;
  Counter* prefetch_skipped_ = nullptr;
  Counter* fetch_errors_ = nullptr;

  std::mutex mu_;
  std::unordered_map<cache::BlockKey, BlockFuture, cache::BlockKeyHash> inflight_ GUARDED_BY(mu_);
};

}  // namespace ava::fs
