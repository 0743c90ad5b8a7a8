// A complete avafs read path over an in-memory store, without FUSE: MemoryStore wrapped in a
// FaultInjectingStore (to count and fail calls), a RAM-only TieredCache, the block fetcher and the
// FileSystem, all on a FakeClock. Small blocks (64 KiB) keep multi-block files small.
#pragma once

#include <memory>
#include <random>
#include <string>

#include "cache/tiered_cache.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/thread_pool.h"
#include "fs/block_fetcher.h"
#include "fs/file_system.h"
#include "fs/memory_budget.h"
#include "store/fault_injecting_store.h"
#include "store/memory_store.h"
#include "test_util.h"

namespace ava::fs::testing {

inline constexpr uint64_t kBlock = 64 << 10;

inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

struct FsTestOptions {
  MetadataTtl ttl{std::chrono::seconds(60), false};
  uint64_t ram_capacity = 64 << 20;
  uint64_t fetch_buffers = 16 << 20;
  uint32_t max_readahead_blocks = 16;
  std::string prefix;
};

class FsTestEnv {
 public:
  explicit FsTestEnv(FsTestOptions o = {})
      : mem("data", &clock), store(&mem, &clock), budget(o.fetch_buffers), pool(4, "test-fetch") {
    cache::CacheConfig cc;
    cc.ram.capacity_bytes = o.ram_capacity;
    cc.ssd.capacity_bytes = 0;
    auto opened = cache::TieredCache::Open(cc, cache::CacheEnv{&clock, nullptr, &metrics});
    if (!opened.ok()) std::abort();
    cache = std::move(*opened);
    fetcher = std::make_unique<BlockFetcher>(FetcherConfig{kBlock, 4 * kBlock}, cache.get(), &pool, &budget,
                                             &metrics, nullptr);
    FsOptions fo;
    fo.metadata_ttl = o.ttl;
    fo.max_readahead_blocks = o.max_readahead_blocks;
    fs = std::make_unique<FileSystem>(std::vector<FsMount>{FsMount{"data", &store, o.prefix}}, fo,
                                      FsEnv{&clock, nullptr, &metrics, fetcher.get()});
  }
  ~FsTestEnv() {
    pool.Shutdown();  // prefetches finish before the cache and stores go away
  }

  void Put(const std::string& key, const std::string& data) {
    if (!mem.Put(key, data).ok()) std::abort();
  }
  // The inode of "/data/<path>" (looked up component by component).
  Result<Attr> Walk(const std::string& path) {
    AVA_ASSIGN_OR_RETURN(Attr cur, fs->Lookup(kRootIno, "data"));
    size_t pos = 0;
    while (pos < path.size()) {
      size_t slash = path.find('/', pos);
      if (slash == std::string::npos) slash = path.size();
      AVA_ASSIGN_OR_RETURN(cur, fs->Lookup(cur.ino, path.substr(pos, slash - pos)));
      pos = slash + 1;
    }
    return cur;
  }
  // Whole contents of a file through open/read/release, in `chunk`-sized reads.
  Result<std::string> ReadAll(const std::string& path, uint64_t chunk = 128 << 10) {
    AVA_ASSIGN_OR_RETURN(Attr a, Walk(path));
    AVA_ASSIGN_OR_RETURN(OpenResult h, fs->Open(a.ino, 0));
    std::string out;
    for (;;) {
      Result<ReadResult> r = fs->Read(h.fh, out.size(), chunk);
      if (!r.ok()) {
        fs->Release(h.fh).IgnoreError();
        return r.status();
      }
      if (r->size == 0) break;
      for (const auto& v : r->iov) out.append(static_cast<const char*>(v.iov_base), v.iov_len);
    }
    fs->Release(h.fh).IgnoreError();
    return out;
  }
  static std::string Join(const ReadResult& r) {
    std::string out;
    for (const auto& v : r.iov) out.append(static_cast<const char*>(v.iov_base), v.iov_len);
    return out;
  }
  uint64_t Gets() const { return store.Count(store::StoreOp::kGet); }
  uint64_t Heads() const { return store.Count(store::StoreOp::kHead); }
  uint64_t Lists() const { return store.Count(store::StoreOp::kList); }

  FakeClock clock;
  MetricsRegistry metrics;
  store::MemoryStore mem;
  store::FaultInjectingStore store;
  std::unique_ptr<cache::TieredCache> cache;
  MemoryBudget budget;
  ThreadPool pool;
  std::unique_ptr<BlockFetcher> fetcher;
  std::unique_ptr<FileSystem> fs;
};

}  // namespace ava::fs::testing
