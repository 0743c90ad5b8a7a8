#include "fs/file_system.h"

#include <fcntl.h>

#include <random>
#include <set>
#include <thread>

#include "fs/errno_mapping.h"
#include "fs_test_env.h"

namespace ava::fs {
namespace {

using testing::FsTestEnv;
using testing::FsTestOptions;
using testing::kBlock;
using testing::RandomBytes;

std::set<std::string> Names(FileSystem& fs, uint64_t ino) {
  std::set<std::string> out;
  Result<uint64_t> fh = fs.OpenDir(ino);
  if (!fh.ok()) return out;
  for (const auto& e : *fs.DirSnapshot(*fh)) out.insert(e.name + (e.is_dir ? "/" : ""));
  fs.ReleaseDir(*fh);
  return out;
}

TEST(FileSystemTest, ObjectsAreFilesAndPrefixesAreDirectories) {
  FsTestEnv env;
  env.Put("train/cat/1.png", "c1");
  env.Put("train/dog/1.png", "d1");
  env.Put("train/labels.txt", "cat\ndog\n");
  env.Put("train/empty/", "");  // a directory marker object, as some S3 tools create
  env.Put("readme", "hello");
  EXPECT_EQ(Names(*env.fs, kRootIno), (std::set<std::string>{"data/"}));
  Result<Attr> root = env.Walk("");
  ASSERT_OK(root);
  EXPECT_EQ(Names(*env.fs, root->ino), (std::set<std::string>{"readme", "train/"}));
  Result<Attr> train = env.Walk("train");
  ASSERT_OK(train);
  EXPECT_TRUE(train->is_dir);
  EXPECT_EQ(Names(*env.fs, train->ino), (std::set<std::string>{"cat/", "dog/", "empty/", "labels.txt"}));
  Result<Attr> labels = env.Walk("train/labels.txt");
  ASSERT_OK(labels);
  EXPECT_FALSE(labels->is_dir);
  EXPECT_EQ(labels->size, 8u);
  Result<Attr> empty = env.Walk("train/empty");
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->is_dir);
  EXPECT_TRUE(Names(*env.fs, empty->ino).empty());
  EXPECT_STATUS(env.Walk("train/nope"), kNotFound);
  EXPECT_STATUS(env.fs->Lookup(kRootIno, "other-mount"), kNotFound);
}

TEST(FileSystemTest, AnObjectShadowsAPrefixOfTheSameName) {
  FsTestEnv env;
  env.Put("x", "file");
  env.Put("x/y", "under");
  Result<Attr> root = env.Walk("");
  ASSERT_OK(root);
  EXPECT_EQ(Names(*env.fs, root->ino), (std::set<std::string>{"x"}));
  Result<Attr> x = env.Walk("x");
  ASSERT_OK(x);
  EXPECT_FALSE(x->is_dir);
}

TEST(FileSystemTest, ListingAnswersLookupsWithoutHeads) {
  FsTestEnv env;
  for (int i = 0; i < 50; ++i) env.Put("d/f" + std::to_string(i), "x");
  Result<Attr> d = env.Walk("d");
  ASSERT_OK(d);
  uint64_t heads = env.Heads();
  Names(*env.fs, d->ino);  // one LIST
  uint64_t lists = env.Lists();
  for (int i = 0; i < 50; ++i) ASSERT_OK(env.fs->Lookup(d->ino, "f" + std::to_string(i)));
  EXPECT_STATUS(env.fs->Lookup(d->ino, "missing"), kNotFound);
  EXPECT_EQ(env.Heads(), heads);
  EXPECT_EQ(env.Lists(), lists);
}

TEST(FileSystemTest, ManyLookupsInAnUnlistedDirectoryListItOnce) {
  FsTestEnv env;
  for (int i = 0; i < 100; ++i) env.Put("imgs/" + std::to_string(i) + ".png", "x");
  Result<Attr> dir = env.Walk("imgs");
  ASSERT_OK(dir);
  uint64_t heads = env.Heads();
  for (int i = 0; i < 100; ++i) ASSERT_OK(env.fs->Lookup(dir->ino, std::to_string(i) + ".png"));
  // A loader opening files from an index (no readdir): a few HEADs, then one listing answers the rest.
  EXPECT_LE(env.Heads() - heads, 4u);
}

TEST(FileSystemTest, NegativeLookupsAreCachedForTheTtl) {
  FsTestEnv env(FsTestOptions{.ttl = MetadataTtl{std::chrono::seconds(10), false}});
  env.Put("d/a", "x");
  Result<Attr> root = env.Walk("");
  ASSERT_OK(root);
  EXPECT_STATUS(env.fs->Lookup(root->ino, "ghost"), kNotFound);
  uint64_t calls = env.Heads() + env.Lists();
  EXPECT_STATUS(env.fs->Lookup(root->ino, "ghost"), kNotFound);
  EXPECT_EQ(env.Heads() + env.Lists(), calls);
  env.Put("ghost", "now here");
  EXPECT_STATUS(env.fs->Lookup(root->ino, "ghost"), kNotFound);  // still trusted
  env.clock.Advance(std::chrono::seconds(11));
  EXPECT_OK(env.fs->Lookup(root->ino, "ghost"));  // TTL over: asked again
}

TEST(FileSystemTest, IndefiniteTtlNeverAsksAgain) {
  FsTestEnv env(FsTestOptions{.ttl = MetadataTtl{Nanos(0), true}});
  env.Put("a", "1");
  ASSERT_OK(env.Walk("a"));
  uint64_t calls = env.Heads() + env.Lists();
  env.clock.Advance(std::chrono::hours(24 * 365));
  ASSERT_OK(env.Walk("a"));
  Result<Attr> a = env.Walk("a");
  ASSERT_OK(env.fs->GetAttr(a->ino));
  EXPECT_EQ(env.Heads() + env.Lists(), calls);
}

TEST(FileSystemTest, ReadsAreByteIdenticalAcrossBlocksAndChunkSizes) {
  FsTestEnv env;
  const std::string big = RandomBytes(5 * kBlock + 12345, 1);
  env.Put("big", big);
  env.Put("small", "tiny");
  env.Put("empty", "");
  for (uint64_t chunk : {uint64_t{4096}, uint64_t{100000}, kBlock, 3 * kBlock}) {
    Result<std::string> got = env.ReadAll("big", chunk);
    ASSERT_OK(got);
    ASSERT_EQ(got->size(), big.size());
    EXPECT_TRUE(*got == big) << "chunk " << chunk;
  }
  EXPECT_EQ(*env.ReadAll("small"), "tiny");
  EXPECT_EQ(*env.ReadAll("empty"), "");
}

TEST(FileSystemTest, ThousandRandomRangedReadsMatchTheSource) {
  FsTestEnv env;
  const std::string big = RandomBytes(8 * kBlock + 777, 2);
  env.Put("big", big);
  Result<Attr> a = env.Walk("big");
  ASSERT_OK(a);
  Result<OpenResult> h = env.fs->Open(a->ino, O_RDONLY);
  ASSERT_OK(h);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    uint64_t off = rng() % (big.size() + 100);
    uint64_t len = 1 + rng() % (2 * kBlock);
    Result<ReadResult> r = env.fs->Read(h->fh, off, len);
    ASSERT_OK(r);
    std::string expect = off >= big.size() ? "" : big.substr(off, len);
    ASSERT_EQ(FsTestEnv::Join(*r), expect) << "offset " << off << " length " << len;
  }
  EXPECT_OK(env.fs->Release(h->fh));
}

TEST(FileSystemTest, SecondReadComesFromTheCacheAndNothingIsFetchedTwice) {
  FsTestEnv env;
  const std::string big = RandomBytes(20 * kBlock + 5, 3);
  env.Put("big", big);
  ASSERT_EQ(*env.ReadAll("big"), big);
  env.pool.Shutdown();  // let prefetches finish
  uint64_t gets = env.Gets();
  EXPECT_EQ(env.store.BytesRead(), big.size());  // every byte fetched exactly once
  ASSERT_EQ(*env.ReadAll("big"), big);
  EXPECT_EQ(env.Gets(), gets);
  // Consecutive blocks were fetched together: far fewer GETs than blocks.
  EXPECT_LT(gets, 21u);
}

TEST(FileSystemTest, SequentialReadersPrefetchRandomReadersDoNot) {
  FsTestEnv env;
  const std::string big = RandomBytes(32 * kBlock, 4);
  env.Put("seq", big);
  env.Put("rnd", big);
  ASSERT_EQ(*env.ReadAll("seq", 32 << 10), big);
  env.pool.Shutdown();
  Counter& prefetched = env.metrics.GetCounter("avafs_prefetch_blocks_total", "");
  EXPECT_GT(prefetched.Value(), 10u);

  FsTestEnv env2;
  env2.Put("rnd", big);
  Result<Attr> a = env2.Walk("rnd");
  Result<OpenResult> h = env2.fs->Open(a->ino, O_RDONLY);
  ASSERT_OK(h);
  std::mt19937_64 rng(9);
  std::set<uint64_t> touched;
  for (int i = 0; i < 10; ++i) {
    uint64_t block = (rng() % 16) * 2 + 1;  // odd blocks only, never adjacent to each other
    ASSERT_OK(env2.fs->Read(h->fh, block * kBlock + 100, 4096));
    touched.insert(block);
  }
  EXPECT_OK(env2.fs->Release(h->fh));
  env2.pool.Shutdown();
  // Random reads fetch what they touch, and nothing else (no readahead into neighbours).
  EXPECT_EQ(env2.store.BytesRead(), touched.size() * kBlock);
}

TEST(FileSystemTest, ChangedObjectIsNotServedFromStaleBlocksAfterRevalidation) {
  FsTestEnv env(FsTestOptions{.ttl = MetadataTtl{std::chrono::seconds(5), false}});
  const std::string v1 = RandomBytes(3 * kBlock, 5);
  const std::string v2 = RandomBytes(3 * kBlock + 10, 6);
  env.Put("f", v1);
  ASSERT_EQ(*env.ReadAll("f"), v1);  // v1 is now cached
  env.Put("f", v2);
  env.clock.Advance(std::chrono::seconds(6));
  Result<Attr> a = env.Walk("f");
  ASSERT_OK(a);
  EXPECT_EQ(a->size, v2.size());
  Result<OpenResult> h = env.fs->Open(a->ino, O_RDONLY);
  ASSERT_OK(h);
  EXPECT_FALSE(h->keep_cache);  // the kernel must drop pages of the old version
  EXPECT_OK(env.fs->Release(h->fh));
  ASSERT_EQ(*env.ReadAll("f"), v2);
  Result<OpenResult> again = env.fs->Open(a->ino, O_RDONLY);
  ASSERT_OK(again);
  EXPECT_TRUE(again->keep_cache);  // unchanged since the last open
  EXPECT_OK(env.fs->Release(again->fh));
}

TEST(FileSystemTest, ReadsWithoutAHandleFollowTheInodesCurrentVersion) {
  // Zero-message open: the kernel reads with no handle, so the read state lives per inode.
  FsTestEnv env(FsTestOptions{.ttl = MetadataTtl{std::chrono::seconds(5), false}});
  const std::string v1 = RandomBytes(3 * kBlock + 1, 11);
  const std::string v2 = RandomBytes(2 * kBlock + 7, 12);
  env.Put("f", v1);
  Result<Attr> a = env.Walk("f");
  ASSERT_OK(a);
  auto read_all = [&](uint64_t ino, uint64_t size) {
    std::string out;
    for (uint64_t off = 0; off < size + 1; off += 100000) {
      Result<ReadResult> r = env.fs->ReadInode(ino, off, 100000);
      if (!r.ok()) return "<" + r.status().ToString() + ">";
      out += FsTestEnv::Join(*r);
    }
    return out;
  };
  EXPECT_TRUE(read_all(a->ino, v1.size()) == v1);
  env.pool.Shutdown();  // prefetches done
  uint64_t gets = env.Gets();
  EXPECT_TRUE(read_all(a->ino, v1.size()) == v1);
  EXPECT_EQ(env.Gets(), gets);  // the second pass is all cache hits

  env.Put("f", v2);
  EXPECT_TRUE(read_all(a->ino, v1.size()) == v1);  // not revalidated yet: still v1, from the cache
  env.clock.Advance(std::chrono::seconds(6));
  Result<Attr> b = env.Walk("f");
  ASSERT_OK(b);
  ASSERT_EQ(b->ino, a->ino);
  EXPECT_TRUE(read_all(b->ino, v2.size()) == v2);  // revalidated: the new version, never a mix
  EXPECT_STATUS(env.fs->ReadInode(kRootIno, 0, 10), kFailedPrecondition);
  EXPECT_STATUS(env.fs->ReadInode(987654, 0, 10), kNotFound);
}

TEST(FileSystemTest, AnOpenHandleNeverMixesVersions) {
  FsTestEnv env;
  const std::string v1 = RandomBytes(4 * kBlock, 7);
  env.Put("f", v1);
  Result<Attr> a = env.Walk("f");
  Result<OpenResult> h = env.fs->Open(a->ino, O_RDONLY);
  ASSERT_OK(h);
  ASSERT_OK(env.fs->Read(h->fh, 0, 100));  // block 0 (and maybe 1) of v1
  env.pool.Shutdown();
  env.Put("f", RandomBytes(4 * kBlock, 8));
  // Block 3 was never fetched; the store now holds another version: the read fails rather than
  // returning bytes of v2 inside a file that is v1.
  Result<ReadResult> r = env.fs->Read(h->fh, 3 * kBlock, 100);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(ToErrno(r.status()), EIO);
  EXPECT_OK(env.fs->Release(h->fh));
}

TEST(FileSystemTest, StoreFailuresBecomeErrorsNotHangs) {
  FsTestEnv env;
  env.Put("f", RandomBytes(kBlock, 9));
  env.Put("g", "x");
  Result<Attr> a = env.Walk("f");
  ASSERT_OK(a);
  Result<OpenResult> h = env.fs->Open(a->ino, O_RDONLY);
  ASSERT_OK(h);
  env.store.FailAlways(store::StoreOp::kGet, Status::Unavailable("connection refused"));
  Result<ReadResult> r = env.fs->Read(h->fh, 0, 4096);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ToErrno(r.status()), EIO);
  env.store.ClearFaults();
  EXPECT_OK(env.fs->Read(h->fh, 0, 4096));  // recovers once the store is back
  EXPECT_OK(env.fs->Release(h->fh));

  Result<Attr> root = env.Walk("");
  env.store.FailNext(store::StoreOp::kHead, Status::PermissionDenied("AccessDenied"));
  Result<Attr> g = env.fs->Lookup(root->ino, "g");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(ToErrno(g.status()), EACCES);
}

TEST(FileSystemTest, WritesAreRefused) {
  FsTestEnv env;
  env.Put("f", "x");
  Result<Attr> a = env.Walk("f");
  EXPECT_STATUS(env.fs->Open(a->ino, O_WRONLY), kPermissionDenied);
  EXPECT_STATUS(env.fs->Open(a->ino, O_RDWR), kPermissionDenied);
}

TEST(FileSystemTest, LookupCountsFollowTheKernelProtocol) {
  FsTestEnv env;
  env.Put("d/a", "1");
  env.Put("d/b", "2");
  Result<Attr> d = env.Walk("d");
  ASSERT_OK(d);
  Result<uint64_t> fh = env.fs->OpenDir(d->ino);
  ASSERT_OK(fh);
  auto entries = env.fs->DirSnapshot(*fh);
  Attr a = env.fs->RememberChild(d->ino, (*entries)[0]);  // readdirplus hands out "a"
  Result<Attr> again = env.fs->Lookup(d->ino, "a");
  ASSERT_OK(again);
  EXPECT_EQ(again->ino, a.ino);
  EXPECT_EQ(env.fs->LookupCount(a.ino), 2u);
  size_t inodes = env.fs->InodeCount();
  env.fs->Forget(a.ino, 2);
  EXPECT_EQ(env.fs->InodeCount(), inodes - 1);
  EXPECT_STATUS(env.fs->GetAttr(a.ino), kNotFound);
  env.fs->ReleaseDir(*fh);
}

TEST(FileSystemTest, MemoryBudgetBoundsConcurrentReaders) {
  FsTestEnv env(FsTestOptions{.fetch_buffers = 8 * kBlock});
  std::vector<std::string> data;
  for (int i = 0; i < 8; ++i) {
    data.push_back(RandomBytes(24 * kBlock, 100 + i));
    env.Put("f" + std::to_string(i), data.back());
  }
  std::vector<std::thread> readers;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&, i] {
      Result<std::string> got = env.ReadAll("f" + std::to_string(i), 64 << 10);
      if (!got.ok() || *got != data[i]) mismatches++;
    });
  }
  for (auto& t : readers) t.join();
  env.pool.Shutdown();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_LE(env.budget.peak(), env.budget.limit());
  EXPECT_EQ(env.budget.used(), 0u);
}

TEST(FileSystemTest, XattrsTellPathAndControlAddress) {
  FsTestEnv env;
  env.Put("a/b.txt", "x");
  env.fs->set_control_address("127.0.0.1:9999");
  Result<Attr> b = env.Walk("a/b.txt");
  ASSERT_OK(b);
  EXPECT_EQ(*env.fs->GetXattr(b->ino, "user.avafs.path"), "/data/a/b.txt");
  EXPECT_EQ(*env.fs->GetXattr(kRootIno, "user.avafs.control"), "127.0.0.1:9999");
  EXPECT_EQ(*env.fs->GetXattr(kRootIno, "user.avafs.path"), "/");
  EXPECT_STATUS(env.fs->GetXattr(b->ino, "user.other"), kNotFound);
}

TEST(FileSystemTest, MountPrefixHidesTheRestOfTheBucket) {
  FsTestEnv env(FsTestOptions{.prefix = "team/"});
  env.Put("team/x", "1");
  env.Put("other/y", "2");
  Result<Attr> root = env.Walk("");
  ASSERT_OK(root);
  EXPECT_EQ(Names(*env.fs, root->ino), (std::set<std::string>{"x"}));
  EXPECT_EQ(*env.ReadAll("x"), "1");
}

}  // namespace
}  // namespace ava::fs
