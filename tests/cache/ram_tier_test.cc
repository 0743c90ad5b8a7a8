#include "cache/ram_tier.h"

#include <gtest/gtest.h>

#include "cache/tiered_cache.h"
#include "cache_test_util.h"

namespace ava::cache {
namespace {

using testing::Data;
using testing::Key;

class RamTierTest : public ::testing::Test {
 protected:
  void Make(uint64_t capacity, double high = 0.9, double low = 0.5) {
    tier_ = std::make_unique<RamTier>(TierConfig{capacity, high, low}, &metrics_, [this] { ++signals_; });
  }
  uint64_t ChargeOf(int i, uint32_t len = 4096) {
    BlockKey k = Key(i, len);
    return RamTier::Charge(k, Data(k));
  }
  void Put(int i, uint32_t len = 4096) {
    BlockKey k = Key(i, len);
    tier_->Insert(k, Data(k));
  }
  TierStats Stats() {
    TierStats s;
    tier_->FillStats(&s);
    return s;
  }

  TierMetrics metrics_{nullptr, "ram"};
  std::unique_ptr<RamTier> tier_;
  int signals_ = 0;
};

TEST_F(RamTierTest, EvictOnceGoesFromAboveHighToLowAndNoLower) {
  const uint64_t charge = ChargeOf(0);
  Make(100 * charge, 0.9, 0.5);
  for (int i = 0; i < 95; ++i) Put(i);
  EXPECT_GT(Stats().used_bytes, 90 * charge);
  EXPECT_GT(signals_, 0) << "crossing the high watermark wakes the evictor";

  tier_->EvictOnce();
  TierStats s = Stats();
  EXPECT_LE(s.used_bytes, 50 * charge);
  EXPECT_GT(s.used_bytes + charge, 50 * charge) << "evicted more than needed to reach the low watermark";
  EXPECT_EQ(s.blocks, 50u);
  EXPECT_EQ(s.evictions, 45u);
  EXPECT_EQ(s.evicted_bytes, 45 * charge);
}

TEST_F(RamTierTest, EvictOnceBelowHighDoesNothing) {
  const uint64_t charge = ChargeOf(0);
  Make(100 * charge, 0.9, 0.5);
  for (int i = 0; i < 80; ++i) Put(i);
  tier_->EvictOnce();
  EXPECT_EQ(Stats().blocks, 80u);
  EXPECT_EQ(signals_, 0);
}

TEST_F(RamTierTest, UsageNeverExceedsCapacity) {
  const uint64_t capacity = 64 * 1024;
  Make(capacity, 1.0, 1.0);  // no background help: only the hard limit
  uint64_t inserted = 0;
  for (int i = 0; inserted < 3 * capacity; ++i) {
    uint32_t len = 1000 + (i * 7919) % 6000;  // mixed sizes
    Put(i, len);
    inserted += len;
    ASSERT_LE(Stats().used_bytes, capacity) << "after insert " << i;
  }
  EXPECT_GT(Stats().evictions, 0u);
}

TEST_F(RamTierTest, LeastRecentlyUsedGoesFirst) {
  const uint64_t charge = ChargeOf(0);
  Make(4 * charge, 1.0, 1.0);
  for (int i = 1; i <= 4; ++i) Put(i);
  ASSERT_TRUE(tier_->Lookup(Key(1)).has_value());  // 1 is now the most recent
  Put(5);                                          // evicts the least recent: 2
  EXPECT_TRUE(tier_->Contains(Key(1)));
  EXPECT_FALSE(tier_->Contains(Key(2)));
  EXPECT_TRUE(tier_->Contains(Key(3)));
  EXPECT_TRUE(tier_->Contains(Key(5)));
  Put(6);  // then 3
  EXPECT_FALSE(tier_->Contains(Key(3)));
  EXPECT_TRUE(tier_->Contains(Key(1)));
}

TEST_F(RamTierTest, MetadataIsCharged) {
  const uint64_t capacity = 64 * 1024;
  const uint32_t tiny = 16;
  Make(capacity, 1.0, 1.0);
  for (int i = 0; i < 10000; ++i) Put(i, tiny);
  TierStats s = Stats();
  EXPECT_LE(s.used_bytes, capacity);
  // Counting only data, 4096 blocks would fit; with index entries and string overheads far fewer do.
  EXPECT_LT(s.blocks, capacity / tiny / 4);
  EXPECT_GT(ChargeOf(0, tiny), tiny + sizeof(LruIndex<BlockData>::Entry));
}

TEST_F(RamTierTest, BlockLargerThanTheTierIsNotAdmitted) {
  Make(8 * 1024);
  Put(1, 16 * 1024);
  EXPECT_FALSE(tier_->Contains(Key(1, 16 * 1024)));
  EXPECT_EQ(Stats().used_bytes, 0u);
  Put(2, 1024);
  EXPECT_TRUE(tier_->Contains(Key(2, 1024)));
}

TEST_F(RamTierTest, CountsHitsAndMisses) {
  Make(1 << 20);
  Put(1);
  EXPECT_TRUE(tier_->Lookup(Key(1)).has_value());
  EXPECT_FALSE(tier_->Lookup(Key(2)).has_value());
  TierStats s = Stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.hit_bytes, 4096u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.inserts, 1u);
}

}  // namespace
}  // namespace ava::cache
