#include "cache/lru_index.h"

#include <gtest/gtest.h>

#include <vector>

#include "cache_test_util.h"

namespace ava::cache {
namespace {

using testing::Key;

std::vector<int> Order(const LruIndex<int>& idx) {
  std::vector<int> out;
  idx.ForEachLeastToMostRecent([&](const LruIndex<int>::Entry& e) { out.push_back(e.value); });
  return out;
}

TEST(LruIndexTest, TracksTotalCharge) {
  LruIndex<int> idx;
  idx.Insert(Key(1), 100, 1);
  idx.Insert(Key(2), 50, 2);
  EXPECT_EQ(idx.total_charge(), 150u);
  idx.SetCharge(idx.Find(Key(1)), 10);
  EXPECT_EQ(idx.total_charge(), 60u);
  EXPECT_TRUE(idx.Erase(Key(2)).has_value());
  EXPECT_EQ(idx.total_charge(), 10u);
  EXPECT_FALSE(idx.Erase(Key(2)).has_value());
  EXPECT_EQ(idx.size(), 1u);
}

TEST(LruIndexTest, TouchMovesToMostRecent) {
  LruIndex<int> idx;
  for (int i = 1; i <= 4; ++i) idx.Insert(Key(i), 1, i);
  EXPECT_EQ(Order(idx), (std::vector<int>{1, 2, 3, 4}));
  ASSERT_NE(idx.FindAndTouch(Key(2)), nullptr);
  EXPECT_EQ(Order(idx), (std::vector<int>{1, 3, 4, 2}));
  ASSERT_NE(idx.Find(Key(1)), nullptr);  // Find does not touch
  EXPECT_EQ(idx.PopLeastRecent()->value, 1);
  EXPECT_EQ(idx.PopLeastRecent()->value, 3);
  EXPECT_EQ(Order(idx), (std::vector<int>{4, 2}));
}

TEST(LruIndexTest, InsertAtLeastRecentEnd) {
  LruIndex<int> idx;
  idx.Insert(Key(1), 1, 1);
  idx.Insert(Key(2), 1, 2, LruIndex<int>::Position::kLeastRecent);
  EXPECT_EQ(Order(idx), (std::vector<int>{2, 1}));
  EXPECT_EQ(idx.LeastRecent()->value, 2);
}

TEST(LruIndexTest, MetadataBytesGrowWithTheKey) {
  BlockKey small = Key(1);
  BlockKey big = small;
  big.key += std::string(1000, 'x');
  EXPECT_GT(LruIndex<int>::EntryMetadataBytes(small), sizeof(LruIndex<int>::Entry));
  EXPECT_EQ(LruIndex<int>::EntryMetadataBytes(big) - LruIndex<int>::EntryMetadataBytes(small), 1000u);
}

}  // namespace
}  // namespace ava::cache
