#include "fs/metadata_cache.h"

#include "fs_test_env.h"

namespace ava::fs {
namespace {

std::shared_ptr<DirListing> Listing(Nanos at) {
  auto l = std::make_shared<DirListing>();
  store::ObjectInfo a;
  a.key = "a";
  a.size = 10;
  a.etag = "ea";
  l->files.push_back(a);
  l->dirs.push_back("sub");
  l->fetched_at = at;
  l->BuildIndex();
  return l;
}

TEST(MetadataCacheTest, OwnChangesPatchAFreshListingInsteadOfDroppingIt) {
  FakeClock clock;
  MetadataCache cache(&clock, MetadataTtl{std::chrono::seconds(60), false});
  cache.PutListing("0:d/", Listing(clock.Now()), cache.Generation());
  cache.PutStat("0:d/", "new", NameStat{}, cache.Generation());  // "missing", learned before the create
  cache.PutListing("0:d/sub/", Listing(clock.Now()), cache.Generation());

  cache.NoteChange("0:d/", "new", NameStat::Kind::kFile);
  std::shared_ptr<const DirListing> l = cache.GetListing("0:d/");
  ASSERT_NE(l, nullptr);  // still cached: the next lookup in d/ needs no LIST
  EXPECT_TRUE(l->by_name.contains("new"));
  EXPECT_TRUE(l->unverified.contains("new"));  // its size and ETag are the store's to say
  EXPECT_FALSE(l->unverified.contains("a"));
  EXPECT_FALSE(cache.GetStat("0:d/new").has_value());

  cache.NoteChange("0:d/", "a", NameStat::Kind::kMissing);
  cache.NoteChange("0:d/", "sub", NameStat::Kind::kMissing);
  cache.NoteChange("0:d/", "made", NameStat::Kind::kDir);
  l = cache.GetListing("0:d/");
  ASSERT_NE(l, nullptr);
  EXPECT_FALSE(l->by_name.contains("a"));
  EXPECT_FALSE(l->by_name.contains("sub"));
  ASSERT_TRUE(l->by_name.contains("made"));
  EXPECT_LT(l->by_name.at("made"), 0);               // a directory
  EXPECT_EQ(cache.GetListing("0:d/sub/"), nullptr);  // what was below a removed name is gone
}

TEST(MetadataCacheTest, AReaderKeepsTheListingItGotWhileLaterChangesPatchTheCache) {
  FakeClock clock;
  MetadataCache cache(&clock, MetadataTtl{std::chrono::seconds(60), false});
  cache.PutListing("0:d/", Listing(clock.Now()), cache.Generation());
  std::shared_ptr<const DirListing> held = cache.GetListing("0:d/");
  cache.NoteChange("0:d/", "x", NameStat::Kind::kFile);
  cache.NoteChange("0:d/", "a", NameStat::Kind::kMissing);
  EXPECT_FALSE(held->by_name.contains("x"));  // a readdir in progress sees one consistent listing
  EXPECT_TRUE(held->by_name.contains("a"));
  std::shared_ptr<const DirListing> now = cache.GetListing("0:d/");
  EXPECT_TRUE(now->by_name.contains("x"));
  EXPECT_FALSE(now->by_name.contains("a"));
}

TEST(MetadataCacheTest, ADirectoryFilledAndEmptiedFileByFileStaysConsistent) {
  FakeClock clock;
  MetadataCache cache(&clock, MetadataTtl{std::chrono::seconds(60), false});
  cache.PutListing("0:d/", Listing(clock.Now()), cache.Generation());
  constexpr int kFiles = 20000;
  for (int i = 0; i < kFiles; ++i) cache.NoteChange("0:d/", "f" + std::to_string(i), NameStat::Kind::kFile);
  for (int i = 0; i < kFiles; i += 2)
    cache.NoteChange("0:d/", "f" + std::to_string(i), NameStat::Kind::kMissing);
  std::shared_ptr<const DirListing> l = cache.GetListing("0:d/");
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->files.size(), 1u + kFiles / 2);  // "a" and the odd ones
  for (int i = 0; i < kFiles; ++i) {
    const std::string name = "f" + std::to_string(i);
    auto it = l->by_name.find(name);
    if (i % 2 == 0) {
      EXPECT_EQ(it, l->by_name.end()) << name;
      EXPECT_FALSE(l->unverified.contains(name));
    } else {
      ASSERT_NE(it, l->by_name.end()) << name;
      EXPECT_EQ(l->files[it->second].key, name);  // every index points at its own file
      EXPECT_TRUE(l->unverified.contains(name));
    }
  }
  EXPECT_EQ(l->files[l->by_name.at("a")].key, "a");
  EXPECT_LT(l->by_name.at("sub"), 0);
}

TEST(MetadataCacheTest, AnExpiredListingIsNotPatchedBackToLife) {
  FakeClock clock;
  MetadataCache cache(&clock, MetadataTtl{std::chrono::seconds(60), false});
  cache.PutListing("0:d/", Listing(clock.Now()), cache.Generation());
  clock.Advance(std::chrono::seconds(61));
  cache.NoteChange("0:d/", "new", NameStat::Kind::kFile);
  EXPECT_EQ(cache.GetListing("0:d/"), nullptr);
}

TEST(MetadataCacheTest, WhatAStoreSaidBeforeALocalChangeIsNotCachedAfterIt) {
  FakeClock clock;
  MetadataCache cache(&clock, MetadataTtl{std::chrono::seconds(60), false});
  const uint64_t before = cache.Generation();  // a LIST of d/ and a HEAD of d/ckpt are sent now…
  cache.NoteChange("0:d/", "ckpt", NameStat::Kind::kFile);  // …while this mount creates d/ckpt
  cache.PutListing("0:d/", Listing(clock.Now()), before);   // the answers, without ckpt, arrive late
  cache.PutStat("0:d/", "ckpt", NameStat{}, before);
  EXPECT_EQ(cache.GetListing("0:d/"), nullptr);
  EXPECT_FALSE(cache.GetStat("0:d/ckpt").has_value());
  // Other directories, and answers asked for after the change, are cached as usual.
  cache.PutListing("0:e/", Listing(clock.Now()), before);
  EXPECT_NE(cache.GetListing("0:e/"), nullptr);
  cache.PutListing("0:d/", Listing(clock.Now()), cache.Generation());
  EXPECT_NE(cache.GetListing("0:d/"), nullptr);
}

}  // namespace
}  // namespace ava::fs
