// Block cache speed: Lookup hit latency from the RAM tier and from the SSD tier (read + verify),
// and Insert throughput (RAM eviction on every insert; SSD writes queued to writer threads). The
// SSD cases use a directory under $AVA_BENCH_DIR (default /tmp) — put it on the SSD you mean to
// measure; note the page cache makes "SSD" hits mostly memory reads once the blocks are hot.
//
//   build/bin/cache_bench --benchmark_min_time=1s
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cache/ssd_block_format.h"
#include "cache/tiered_cache.h"
#include "common/clock.h"

namespace ava::cache {
namespace {

constexpr int kBlocks = 64;

BlockKey Key(int i, uint32_t len) {
  return BlockKey{.store = "s3://bench@127.0.0.1:7480",
                  .key = fmt::format("imagenet/train/shard-{:05d}", i),
                  .etag = "\"0123456789abcdef0123456789abcdef\"",
                  .offset = 0,
                  .length = len};
}

BlockData Data(uint32_t len) {
  std::string s(len, '\0');
  std::mt19937_64 rng(len);
  for (char& c : s) c = static_cast<char>(rng());
  return std::make_shared<const std::string>(std::move(s));
}

// A fresh directory, removed with its contents when the benchmark ends.
class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("AVA_BENCH_DIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ava-cache-bench-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~BenchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<TieredCache> OpenOrDie(const CacheConfig& c, SystemClock* clock) {
  auto r = TieredCache::Open(c, CacheEnv{.clock = clock});
  if (!r.ok()) {
    fmt::print(stderr, "cannot open the cache: {}\n", r.status().ToString());
    std::abort();
  }
  return std::move(r).value();
}

// One cache shared by all benchmark threads (set up by thread 0; the others only touch it inside
// the timed loop, which starts and ends with a barrier across threads).
std::unique_ptr<TieredCache> shared_cache;
std::vector<BlockKey> shared_keys;

void BM_RamLookupHit(benchmark::State& state) {
  const auto len = static_cast<uint32_t>(state.range(0));
  static SystemClock clock;
  if (state.thread_index() == 0) {
    CacheConfig c;
    c.ram.capacity_bytes = 2ull * kBlocks * (len + 4096);
    shared_cache = OpenOrDie(c, &clock);
    BlockData data = Data(len);
    shared_keys.clear();
    for (int i = 0; i < kBlocks; ++i) {
      shared_keys.push_back(Key(i, len));
      shared_cache->Insert(shared_keys.back(), data);
    }
  }
  size_t i = static_cast<size_t>(state.thread_index()) * 7;
  for (auto _ : state) {
    auto hit = shared_cache->Lookup(shared_keys[i++ % kBlocks]);
    benchmark::DoNotOptimize(hit);
  }
  // A RAM hit hands out a reference to the block; bytes/s would say nothing.
  if (state.thread_index() == 0) shared_cache.reset();
}

void BM_SsdLookupHit(benchmark::State& state) {
  const auto len = static_cast<uint32_t>(state.range(0));
  BenchDir dir;
  SystemClock clock;
  CacheConfig c;
  c.ram.capacity_bytes = 0;  // every lookup reads and verifies the block file
  c.ssd.capacity_bytes = 2ull * kBlocks * SsdBlockCharge(Key(0, len)) + (1 << 20);
  c.ssd_dir = dir.path() + "/ssd";
  auto cache = OpenOrDie(c, &clock);
  BlockData data = Data(len);
  for (int i = 0; i < kBlocks; ++i) cache->Insert(Key(i, len), data);
  cache->Flush();
  std::vector<BlockKey> keys;
  for (int i = 0; i < kBlocks; ++i) keys.push_back(Key(i, len));
  size_t i = 0;
  for (auto _ : state) {
    auto hit = cache->Lookup(keys[i++ % kBlocks]);
    if (!hit) state.SkipWithError("SSD miss");
    benchmark::DoNotOptimize(hit);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * len);
}

// RAM-only inserts into a full tier: every insert evicts one block.
void BM_RamInsertEvicting(benchmark::State& state) {
  const auto len = static_cast<uint32_t>(state.range(0));
  SystemClock clock;
  CacheConfig c;
  c.ram.capacity_bytes = 16ull * (len + 4096);
  auto cache = OpenOrDie(c, &clock);
  BlockData data = Data(len);
  int i = 0;
  for (auto _ : state) cache->Insert(Key(i++, len), data);
}

// Inserts with the SSD tier on and its writer threads running: the time of Insert itself (the
// write happens behind it; a full queue drops SSD copies, reported as a counter).
void BM_InsertWithSsd(benchmark::State& state) {
  const auto len = static_cast<uint32_t>(state.range(0));
  BenchDir dir;
  SystemClock clock;
  CacheConfig c;
  c.ram.capacity_bytes = 16ull * (len + 4096);
  c.ssd.capacity_bytes = 256ull * SsdBlockCharge(Key(0, len));
  c.ssd_dir = dir.path() + "/ssd";
  auto cache = OpenOrDie(c, &clock);
  cache->Start();
  cache->Flush();  // index loaded
  BlockData data = Data(len);
  int i = 0;
  for (auto _ : state) cache->Insert(Key(i++, len), data);
  cache->Flush();  // after the timed loop: not measured
  CacheStats s = cache->Stats();
  state.counters["ssd_written"] = static_cast<double>(s.ssd.inserts);
  state.counters["ssd_dropped"] = static_cast<double>(s.ssd.write_drops);
  cache->Stop();
}

BENCHMARK(BM_RamLookupHit)->Arg(4 << 10)->Arg(1 << 20)->ThreadRange(1, 8)->UseRealTime();
BENCHMARK(BM_SsdLookupHit)->Arg(4 << 10)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_RamInsertEvicting)->Arg(4 << 10)->Arg(1 << 20);
BENCHMARK(BM_InsertWithSsd)->Arg(4 << 10)->Arg(1 << 20)->UseRealTime();

}  // namespace
}  // namespace ava::cache

BENCHMARK_MAIN();
