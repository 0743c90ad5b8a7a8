#include "fs/page_cache_coherence.h"

#include "test_util.h"

namespace ava::fs {
namespace {

TEST(PageCacheCoherenceTest, AFileOnlyEverWrittenNeedsNoInvalidation) {
  PageCacheCoherence c;
  c.OpenedDirect(7);
  EXPECT_FALSE(c.MustInvalidateAfterWrite(7, 100));
}

TEST(PageCacheCoherenceTest, DirectWritesInvalidateOnceAReaderOpenedTheInode) {
  PageCacheCoherence c;
  c.OpenedDirect(7);
  c.OpenedReadable(100);
  EXPECT_TRUE(c.MustInvalidateAfterWrite(7, 100));
  EXPECT_FALSE(c.MustInvalidateAfterWrite(7, 101));  // another inode was never read
  EXPECT_FALSE(c.MustInvalidateAfterWrite(8, 100));  // a cached handle wrote through the pages
}

TEST(PageCacheCoherenceTest, TheMarkOutlivesTheReaderButNotTheKernelsInode) {
  PageCacheCoherence c;
  c.OpenedDirect(7);
  c.OpenedReadable(100);
  // The reader's close leaves its pages (and mappings) behind: still invalidate.
  EXPECT_TRUE(c.MustInvalidateAfterWrite(7, 100));
  c.Forgotten(100);  // the kernel evicted the inode and its pages
  EXPECT_FALSE(c.MustInvalidateAfterWrite(7, 100));
  c.Released(7);
  c.OpenedReadable(100);
  EXPECT_FALSE(c.MustInvalidateAfterWrite(7, 100));  // the handle is gone
}

}  // namespace
}  // namespace ava::fs
