// Many threads using one cache at once, as FUSE worker threads do. Meant to be run under TSan as
// well (docs/cache.md: "Testing under ThreadSanitizer").
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "cache/ssd_block_format.h"
#include "cache/ssd_tier.h"
#include "cache/tiered_cache.h"
#include "cache_test_util.h"
#include "test_util.h"

namespace ava::cache {
namespace {

using testing::Data;
using testing::Key;

TEST(TieredCacheConcurrencyTest, ThreadsInsertAndLookUpAtOnce) {
  ava::testing::TempDir dir;
  FakeClock clock;
  CapturingLogger logger;
  MetricsRegistry metrics;
  CacheConfig c;
  c.ram.capacity_bytes = 256 * 1024;  // ~60 blocks of the 200 used: RAM and SSD both evict
  c.ssd.capacity_bytes = 100 * SsdBlockCharge(Key(0));
  c.ssd_dir = dir.Sub("ssd");
  c.ssd_writer_threads = 3;
  c.ssd_journal_compact_min_bytes = 8 * 1024;  // compactions happen during the run
  c.evict_interval = std::chrono::milliseconds(1);
  CacheEnv env{.clock = &clock, .logger = &logger, .metrics = &metrics};
  auto opened = TieredCache::Open(c, env);
  ASSERT_OK(opened);
  TieredCache* cache = opened->get();
  cache->Start();

  std::atomic<int> wrong_data{0};
  std::atomic<int> over_capacity{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int op = 0; op < 1500; ++op) {
        int i = static_cast<int>(rng() % 200);
        // Some blocks are short, like the last block of an object.
        BlockKey k = Key(i, i % 10 == 0 ? 1000 : 4096);
        switch (rng() % 8) {
          case 0:
            cache->Contains(k);
            break;
          case 1: {
            CacheStats s = cache->Stats();
            if (s.ram.used_bytes > c.ram.capacity_bytes || s.ssd.used_bytes > c.ssd.capacity_bytes)
              ++over_capacity;
            break;
          }
          default:
            if (auto got = cache->Lookup(k)) {
              if (**got != *Data(k)) ++wrong_data;
            } else {
              cache->Insert(k, Data(k));
            }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  cache->Flush();
  cache->EvictOnce();

  EXPECT_EQ(wrong_data.load(), 0);
  EXPECT_EQ(over_capacity.load(), 0);
  CacheStats s = cache->Stats();
  EXPECT_GT(s.ram.hits, 0u);
  EXPECT_GT(s.ssd.hits, 0u);
  EXPECT_GT(s.ssd.evictions, 0u);
  EXPECT_TRUE(s.ssd.enabled);
  EXPECT_EQ(s.ssd.corrupt_blocks, 0u);
  cache->Stop();

  // Every block the index lists is on disk and intact after the stop.
  opened->reset();
  auto reopened = TieredCache::Open(c, env);
  ASSERT_OK(reopened);
  (*reopened)->Flush();
  CacheStats after = (*reopened)->Stats();
  EXPECT_EQ(after.ssd.blocks, s.ssd.blocks);
  int served = 0;
  for (int i = 0; i < 200; ++i) {
    BlockKey k = Key(i, i % 10 == 0 ? 1000 : 4096);
    if (!(*reopened)->Contains(k)) continue;
    auto got = (*reopened)->Lookup(k);
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(**got, *Data(k));
    ++served;
  }
  EXPECT_EQ(static_cast<uint64_t>(served), after.ssd.blocks);
  EXPECT_EQ((*reopened)->Stats().ssd.corrupt_blocks, 0u);
}

}  // namespace
}  // namespace ava::cache
