#include "cache/tiered_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <future>

#include "cache/ssd_block_format.h"
#include "cache/ssd_index_journal.h"
#include "cache/ssd_tier.h"
#include "cache_test_util.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava::cache {
namespace {

using testing::Data;
using testing::FaultInjectionDisk;
using testing::Key;

class TieredCacheTest : public ::testing::Test {
 protected:
  std::string ssd_dir() const { return dir_.Sub("ssd"); }

  // A cache whose SSD tier holds exactly `blocks` 4 KiB blocks plus a little journal room; RAM off
  // unless asked, so lookups exercise the SSD tier.
  CacheConfig SsdConfig(int blocks, uint64_t ram = 0) {
    CacheConfig c;
    c.ram.capacity_bytes = ram;
    c.ssd.capacity_bytes = blocks * SsdBlockCharge(Key(0)) + 4096;
    c.ssd.high_watermark = 1.0;
    c.ssd.low_watermark = 1.0;
    c.ssd_dir = ssd_dir();
    c.ssd_journal_compact_min_bytes = 1 << 20;
    return c;
  }

  std::unique_ptr<TieredCache> Open(const CacheConfig& c) {
    CacheEnv env{.clock = &clock_, .logger = &logger_, .metrics = &metrics_, .disk = disk_};
    auto r = TieredCache::Open(c, env);
    EXPECT_OK(r);
    return r.ok() ? std::move(r).value() : nullptr;
  }

  void Put(TieredCache* cache, int i) {
    BlockKey k = Key(i);
    cache->Insert(k, Data(k));
  }

  // True if the cache returns exactly the block's contents.
  bool Serves(TieredCache* cache, int i) {
    auto got = cache->Lookup(Key(i));
    return got.has_value() && **got == *Data(Key(i));
  }

  uint64_t JournalSize() {
    auto size = disk_->FileSize(SsdTier::JournalPathIn(ssd_dir()));
    EXPECT_OK(size);
    // The tier charges the journal its size plus room for two empty marker records.
    return size.ok() ? *size + 2 * JournalRecordSize(JournalRecord::Type::kClean, BlockKey{}) : 0;
  }

  ava::testing::TempDir dir_;
  FakeClock clock_;
  CapturingLogger logger_;
  MetricsRegistry metrics_;
  std::unique_ptr<LocalDisk> posix_ = NewPosixDisk();
  LocalDisk* disk_ = posix_.get();
};

TEST_F(TieredCacheTest, RejectsInvalidConfig) {
  CacheConfig c;
  c.ram.low_watermark = 2;
  CacheEnv env{.clock = &clock_};
  EXPECT_STATUS(TieredCache::Open(c, env), kInvalidArgument);
}

TEST_F(TieredCacheTest, FailsWhenTheDirectoryCannotBeCreated) {
  ASSERT_OK(WriteFileAtomic(dir_.Sub("file"), "x"));
  CacheConfig c = SsdConfig(4);
  c.ssd_dir = dir_.Sub("file") + "/ssd";
  CacheEnv env{.clock = &clock_};
  auto r = TieredCache::Open(c, env);
  EXPECT_FALSE(r.ok());
}

TEST_F(TieredCacheTest, CreatesPrivateDirectoryAndFiles) {
  auto cache = Open(SsdConfig(4));
  Put(cache.get(), 1);
  cache->Flush();
  struct stat st {};
  ASSERT_EQ(::stat(ssd_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((ssd_dir() + "/blocks").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(SsdTier::BlockPathIn(ssd_dir(), Key(1)).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(SsdTier::JournalPathIn(ssd_dir()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TieredCacheTest, OneOwnerPerDirectory) {
  auto first = Open(SsdConfig(4));
  CacheEnv env{.clock = &clock_};
  auto second = TieredCache::Open(SsdConfig(4), env);
  EXPECT_STATUS(second, kFailedPrecondition);
}

TEST_F(TieredCacheTest, PromotionServesTheNextLookupFromRam) {
  auto cache = Open(SsdConfig(8));  // SSD only
  Put(cache.get(), 1);
  cache->Flush();
  cache->Stop();
  cache.reset();

  CacheConfig c = SsdConfig(8, /*ram=*/1 << 20);
  cache = Open(c);  // RAM empty; the block is on SSD from the previous run
  cache->Flush();
  ASSERT_TRUE(Serves(cache.get(), 1));
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.ram.misses, 1u);
  EXPECT_EQ(s.ssd.hits, 1u);
  EXPECT_EQ(s.ram.inserts, 1u) << "the SSD hit was promoted";
  ASSERT_TRUE(Serves(cache.get(), 1));
  s = cache->Stats();
  EXPECT_EQ(s.ram.hits, 1u);
  EXPECT_EQ(s.ssd.hits, 1u) << "the second lookup did not reach the SSD";
}

TEST_F(TieredCacheTest, SsdUsageNeverExceedsCapacity) {
  CacheConfig c = SsdConfig(16);
  auto cache = Open(c);
  const uint64_t capacity = c.ssd.capacity_bytes;
  // Inline writes (no writer threads): check after every single write.
  for (int i = 0; i < 48; ++i) {
    Put(cache.get(), i);
    cache->Flush();
    ASSERT_LE(cache->Stats().ssd.used_bytes, capacity) << "after insert " << i;
  }
  CacheStats s = cache->Stats();
  EXPECT_GT(s.ssd.evictions, 0u);
  EXPECT_EQ(s.ssd.used_bytes, s.ssd.blocks * SsdBlockCharge(Key(0)) + JournalSize());
  // The newest blocks are the ones kept.
  EXPECT_TRUE(Serves(cache.get(), 47));
  EXPECT_FALSE(cache->Contains(Key(0)));
}

TEST_F(TieredCacheTest, SsdUsageNeverExceedsCapacityWithWriterThreads) {
  CacheConfig c = SsdConfig(16);
  c.ssd_writer_threads = 4;
  auto cache = Open(c);
  cache->Start();
  const uint64_t capacity = c.ssd.capacity_bytes;
  for (int i = 0; i < 48; ++i) {
    Put(cache.get(), i);
    ASSERT_LE(cache->Stats().ssd.used_bytes, capacity) << "after insert " << i;
  }
  cache->Flush();
  EXPECT_LE(cache->Stats().ssd.used_bytes, capacity);
  cache->Stop();
}

TEST_F(TieredCacheTest, RamUsageNeverExceedsCapacity) {
  CacheConfig c;
  c.ram.capacity_bytes = 64 * 1024;
  auto cache = Open(c);
  for (int i = 0; i < 48; ++i) {
    Put(cache.get(), i);
    ASSERT_LE(cache->Stats().ram.used_bytes, c.ram.capacity_bytes) << "after insert " << i;
  }
}

TEST_F(TieredCacheTest, SsdWatermarkEvictionStopsAtLow) {
  CacheConfig c = SsdConfig(20);
  c.ssd.high_watermark = 0.8;
  c.ssd.low_watermark = 0.5;
  auto cache = Open(c);
  for (int i = 0; i < 19; ++i) Put(cache.get(), i);
  cache->Flush();
  const uint64_t cap = c.ssd.capacity_bytes;
  ASSERT_GT(cache->Stats().ssd.used_bytes, cap * 0.8);
  cache->EvictOnce();
  CacheStats s = cache->Stats();
  EXPECT_LE(s.ssd.used_bytes, cap * 0.5);
  EXPECT_GT(s.ssd.used_bytes + SsdBlockCharge(Key(0)), cap * 0.5) << "evicted more than needed";
  // The oldest went; the newest stayed.
  EXPECT_FALSE(cache->Contains(Key(0)));
  EXPECT_TRUE(cache->Contains(Key(18)));
}

TEST_F(TieredCacheTest, SsdLeastRecentlyUsedGoesFirst) {
  auto cache = Open(SsdConfig(4));
  for (int i = 1; i <= 4; ++i) Put(cache.get(), i);
  cache->Flush();
  ASSERT_TRUE(Serves(cache.get(), 1));
  Put(cache.get(), 5);
  cache->Flush();
  EXPECT_TRUE(cache->Contains(Key(1)));
  EXPECT_FALSE(cache->Contains(Key(2)));
  EXPECT_TRUE(cache->Contains(Key(5)));
}

TEST_F(TieredCacheTest, BlockLargerThanSsdIsNotAdmitted) {
  CacheConfig c = SsdConfig(2);
  auto cache = Open(c);
  BlockKey big = Key(1, 64 * 1024);
  cache->Insert(big, Data(big));
  cache->Flush();
  EXPECT_FALSE(cache->Contains(big));
  EXPECT_LE(cache->Stats().ssd.used_bytes, c.ssd.capacity_bytes);
}

TEST_F(TieredCacheTest, InsertWithWrongLengthIsRefused) {
  CacheConfig c;
  auto cache = Open(c);
  BlockKey k = Key(1, 100);
  cache->Insert(k, std::make_shared<const std::string>(50, 'x'));
  EXPECT_FALSE(cache->Contains(k));
  EXPECT_TRUE(logger_.Contains("block holds 50 bytes, its key says 100"));
}

TEST_F(TieredCacheTest, FlippedByteIsAMissAndTheFileIsRemoved) {
  auto cache = Open(SsdConfig(8));
  Put(cache.get(), 1);
  cache->Flush();
  const std::string path = SsdTier::BlockPathIn(ssd_dir(), Key(1));
  auto contents = ReadFile(path);
  ASSERT_OK(contents);
  std::string bad = *contents;
  bad[bad.size() - 100] ^= 0x20;
  ASSERT_OK(WriteFileAtomic(path, bad));

  EXPECT_FALSE(cache->Lookup(Key(1)).has_value());
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.ssd.corrupt_blocks, 1u);
  EXPECT_EQ(s.ssd.blocks, 0u);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(logger_.Contains("data checksum mismatch"));
  EXPECT_EQ(ParsePrometheusText(metrics_.RenderPrometheus())["avafs_cache_corrupt_blocks_total"], 1);

  // A fresh copy works.
  Put(cache.get(), 1);
  cache->Flush();
  EXPECT_TRUE(Serves(cache.get(), 1));
}

TEST_F(TieredCacheTest, FileOfAnotherBlockIsNotServed) {
  auto cache = Open(SsdConfig(8));
  Put(cache.get(), 1);
  Put(cache.get(), 2);
  cache->Flush();
  // As if the fingerprints collided (or someone copied files around): B's path holds A's block.
  std::filesystem::copy_file(SsdTier::BlockPathIn(ssd_dir(), Key(1)), SsdTier::BlockPathIn(ssd_dir(), Key(2)),
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_FALSE(cache->Lookup(Key(2)).has_value());
  EXPECT_EQ(cache->Stats().ssd.corrupt_blocks, 1u);
  EXPECT_TRUE(logger_.Contains("file holds block " + Key(1).ToString()));
  EXPECT_TRUE(Serves(cache.get(), 1));
}

TEST_F(TieredCacheTest, MissingFileIsAPlainMiss) {
  auto cache = Open(SsdConfig(8));
  Put(cache.get(), 1);
  cache->Flush();
  ASSERT_OK(disk_->RemoveFile(SsdTier::BlockPathIn(ssd_dir(), Key(1))));
  EXPECT_FALSE(cache->Lookup(Key(1)).has_value());
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.ssd.corrupt_blocks, 0u);
  EXPECT_EQ(s.ssd.blocks, 0u);
  EXPECT_EQ(s.ssd.used_bytes, JournalSize()) << "the entry's charge was released";
}

TEST_F(TieredCacheTest, CleanRestartKeepsBlocksAndLruOrder) {
  {
    auto cache = Open(SsdConfig(4));
    for (int i = 1; i <= 4; ++i) Put(cache.get(), i);
    cache->Flush();
    ASSERT_TRUE(Serves(cache.get(), 1));  // recency now 2, 3, 4, 1
    cache->Stop();
  }
  auto cache = Open(SsdConfig(4));
  cache->Flush();
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.ssd.blocks, 4u);
  EXPECT_EQ(s.ssd.used_bytes, 4 * SsdBlockCharge(Key(0)) + JournalSize());
  Put(cache.get(), 5);
  cache->Flush();
  EXPECT_FALSE(cache->Contains(Key(2))) << "the least recently used before the restart goes first";
  for (int i : {1, 3, 4, 5}) EXPECT_TRUE(Serves(cache.get(), i)) << i;
  EXPECT_TRUE(logger_.Contains("(4 from the journal, clean stop"))
      << fmt::format("{}", fmt::join(logger_.Lines(), "\n"));
}

TEST_F(TieredCacheTest, LookupsProbeFilesWhileTheIndexLoads) {
  {
    auto cache = Open(SsdConfig(8));
    for (int i = 1; i <= 3; ++i) Put(cache.get(), i);
    cache->Flush();
  }
  // Corrupt block 3 on disk.
  const std::string path3 = SsdTier::BlockPathIn(ssd_dir(), Key(3));
  auto contents = ReadFile(path3);
  ASSERT_OK(contents);
  std::string bad = *contents;
  bad.back() ^= 1;
  ASSERT_OK(WriteFileAtomic(path3, bad));

  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  CacheEnv env{.clock = &clock_, .logger = &logger_, .before_index_load = [released] { released.wait(); }};
  auto r = TieredCache::Open(SsdConfig(8), env);
  ASSERT_OK(r);
  auto cache = std::move(r).value();
  EXPECT_FALSE(cache->Stats().ssd.index_loaded);
  EXPECT_TRUE(cache->Contains(Key(2)));
  EXPECT_TRUE(Serves(cache.get(), 1));
  EXPECT_FALSE(cache->Lookup(Key(3)).has_value()) << "a corrupt file is not served while loading either";
  EXPECT_FALSE(cache->Lookup(Key(9)).has_value());
  EXPECT_FALSE(cache->Contains(Key(9)));
  Put(cache.get(), 4);  // queued until the index is loaded

  release.set_value();
  cache->Flush();
  CacheStats s = cache->Stats();
  EXPECT_TRUE(s.ssd.index_loaded);
  EXPECT_EQ(s.ssd.blocks, 3u) << "1, 2 and 4; not the corrupt 3";
  EXPECT_EQ(s.ssd.corrupt_blocks, 1u);
  EXPECT_EQ(s.ssd.used_bytes, 3 * SsdBlockCharge(Key(0)) + JournalSize());
  for (int i : {1, 2, 4}) EXPECT_TRUE(Serves(cache.get(), i)) << i;
  EXPECT_FALSE(cache->Contains(Key(3)));
}

TEST_F(TieredCacheTest, FullDiskDisablesSsdWithOneWarning) {
  FaultInjectionDisk faulty(posix_.get());
  disk_ = &faulty;
  CacheConfig c = SsdConfig(16, /*ram=*/1 << 20);
  auto cache = Open(c);
  cache->Start();
  Put(cache.get(), 1);
  cache->Flush();
  ASSERT_TRUE(cache->Stats().ssd.enabled);

  faulty.FailWritesWith(Status::NoSpace("write: No space left on device"));
  for (int i = 2; i <= 10; ++i) Put(cache.get(), i);
  cache->Flush();
  CacheStats s = cache->Stats();
  EXPECT_FALSE(s.ssd.enabled);
  EXPECT_GT(faulty.failed_writes(), 0);
  int warnings = 0;
  for (const std::string& line : logger_.Lines()) {
    if (line.find("is full/failing") != std::string::npos) {
      ++warnings;
      EXPECT_NE(line.find("continuing RAM-only"), std::string::npos) << line;
      EXPECT_NE(line.find(ssd_dir()), std::string::npos) << line;
    }
  }
  EXPECT_EQ(warnings, 1);
  EXPECT_EQ(ParsePrometheusText(metrics_.RenderPrometheus())["avafs_cache_ssd_enabled"], 0);
  // RAM keeps serving, the block written before the failure is still on SSD, new ones are not.
  for (int i = 1; i <= 10; ++i) EXPECT_TRUE(Serves(cache.get(), i)) << i;
  EXPECT_EQ(s.ssd.blocks, 1u);
  EXPECT_LE(s.ssd.used_bytes, c.ssd.capacity_bytes);
  Put(cache.get(), 11);
  cache->Flush();
  EXPECT_TRUE(Serves(cache.get(), 11));
  cache->Stop();
}

TEST_F(TieredCacheTest, FullWriteQueueDropsAndCounts) {
  CacheConfig c = SsdConfig(16);
  c.ssd_write_queue_bytes = 2 * 4096;
  auto cache = Open(c);  // no Start(): nothing drains the queue until Flush
  for (int i = 0; i < 5; ++i) Put(cache.get(), i);
  EXPECT_EQ(cache->Stats().ssd.write_drops, 3u);
  cache->Flush();
  EXPECT_EQ(cache->Stats().ssd.blocks, 2u);
  EXPECT_EQ(ParsePrometheusText(metrics_.RenderPrometheus())["avafs_cache_ssd_write_drops_total"], 3);
}

TEST_F(TieredCacheTest, QueuedBlockIsServedBeforeItIsWritten) {
  auto cache = Open(SsdConfig(16));
  Put(cache.get(), 1);
  EXPECT_TRUE(cache->Contains(Key(1)));
  EXPECT_TRUE(Serves(cache.get(), 1));
}

TEST_F(TieredCacheTest, JournalIsCompacted) {
  CacheConfig c = SsdConfig(4);
  c.ssd_journal_compact_min_bytes = 2048;
  auto cache = Open(c);
  uint64_t largest = 0;
  for (int i = 0; i < 200; ++i) {
    Put(cache.get(), i);
    cache->Flush();
    cache->EvictOnce();
    largest = std::max(largest, JournalSize());
  }
  // 200 inserts and ~196 erasures would take ~30 KiB uncompacted.
  EXPECT_LT(largest, 4096u);
  cache->Stop();
  cache.reset();
  cache = Open(c);
  cache->Flush();
  EXPECT_EQ(cache->Stats().ssd.blocks, 4u);
  for (int i = 196; i < 200; ++i) EXPECT_TRUE(Serves(cache.get(), i)) << i;
}

TEST_F(TieredCacheTest, ExportsMetrics) {
  CacheConfig c = SsdConfig(8, /*ram=*/1 << 20);
  auto cache = Open(c);
  Put(cache.get(), 1);
  cache->Flush();
  ASSERT_TRUE(Serves(cache.get(), 1));
  EXPECT_FALSE(cache->Lookup(Key(2)).has_value());
  auto m = ParsePrometheusText(metrics_.RenderPrometheus());
  EXPECT_EQ(m["avafs_cache_hits_total{tier=\"ram\"}"], 1);
  EXPECT_EQ(m["avafs_cache_hit_bytes_total{tier=\"ram\"}"], 4096);
  EXPECT_EQ(m["avafs_cache_misses_total{tier=\"ram\"}"], 1);
  EXPECT_EQ(m["avafs_cache_misses_total{tier=\"ssd\"}"], 1);
  EXPECT_EQ(m["avafs_cache_inserts_total{tier=\"ram\"}"], 1);
  EXPECT_EQ(m["avafs_cache_inserts_total{tier=\"ssd\"}"], 1);
  EXPECT_EQ(m["avafs_cache_capacity_bytes{tier=\"ssd\"}"], static_cast<double>(c.ssd.capacity_bytes));
  EXPECT_EQ(m["avafs_cache_used_bytes{tier=\"ssd\"}"], static_cast<double>(cache->Stats().ssd.used_bytes));
  EXPECT_EQ(m["avafs_cache_used_bytes{tier=\"ram\"}"], static_cast<double>(cache->Stats().ram.used_bytes));
  EXPECT_EQ(m["avafs_cache_ssd_enabled"], 1);
  EXPECT_EQ(m.count("avafs_cache_evictions_total{tier=\"ram\"}"), 1u);
  EXPECT_EQ(m.count("avafs_cache_evicted_bytes_total{tier=\"ssd\"}"), 1u);
}

}  // namespace
}  // namespace ava::cache
