#include "fs/inode_table.h"

#include "test_util.h"

namespace ava::fs {
namespace {

InodeInfo File(uint64_t size, const std::string& etag) {
  InodeInfo i;
  i.mount = 0;
  i.rel = "f";
  i.size = size;
  i.etag = etag;
  return i;
}

TEST(InodeTableTest, SameNameKeepsItsInodeAndCountsLookups) {
  InodeTable t;
  uint64_t m = t.AddMountRoot("data", 0);
  InodeInfo a = t.Remember(m, "f", File(10, "e1"));
  InodeInfo b = t.Remember(m, "f", File(12, "e2"));
  EXPECT_EQ(a.ino, b.ino);
  EXPECT_EQ(b.size, 12u);  // attributes refreshed
  EXPECT_EQ(t.LookupCount(a.ino), 2u);
  t.Forget(a.ino, 1);
  EXPECT_TRUE(t.Get(a.ino).has_value());
  t.Forget(a.ino, 1);
  EXPECT_FALSE(t.Get(a.ino).has_value());  // dropped at zero
  InodeInfo c = t.Remember(m, "f", File(12, "e2"));
  EXPECT_NE(c.ino, a.ino);  // a forgotten inode number is not reused for the name
}

TEST(InodeTableTest, RootAndMountRootsArePermanent) {
  InodeTable t;
  uint64_t m = t.AddMountRoot("data", 0);
  t.Forget(kRootIno, 100);
  t.Forget(m, 100);
  EXPECT_TRUE(t.Get(kRootIno).has_value());
  EXPECT_TRUE(t.Get(m).has_value());
}

TEST(InodeTableTest, NameThatChangesKindGetsANewInode) {
  InodeTable t;
  uint64_t m = t.AddMountRoot("data", 0);
  InodeInfo f = t.Remember(m, "x", File(1, "e"));
  InodeInfo d;
  d.is_dir = true;
  d.mount = 0;
  d.rel = "x/";
  InodeInfo dir = t.Remember(m, "x", d);
  EXPECT_NE(f.ino, dir.ino);
  EXPECT_TRUE(t.Get(f.ino).has_value());  // the kernel still holds the old one
}

}  // namespace
}  // namespace ava::fs
