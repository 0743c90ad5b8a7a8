#include "fs/warmer.h"

#include "fs_test_env.h"

namespace ava::fs {
namespace {

using testing::FsTestEnv;
using testing::kBlock;
using testing::RandomBytes;

TEST(WarmerTest, WarmedFilesAreReadWithoutAnyGet) {
  FsTestEnv env;
  uint64_t total = 0;
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 20; ++i) {
      std::string data = RandomBytes(1000 + (i * 7919) % (3 * kBlock), c * 100 + i);
      total += data.size();
      env.Put("train/" + std::to_string(c) + "/" + std::to_string(i) + ".png", data);
    }
  }
  env.Put("test/0.png", "not warmed");
  Warmer warmer(env.fs.get(), env.fetcher.get(), &env.clock);
  int callbacks = 0;
  Result<WarmProgress> p =
      warmer.Run({"/data/train"}, WarmOptions{.parallel = 4}, [&](const WarmProgress&) { callbacks++; });
  ASSERT_OK(p);
  EXPECT_EQ(p->files_total, 60u);
  EXPECT_EQ(p->files_done, 60u);
  EXPECT_EQ(p->bytes_total, total);
  EXPECT_EQ(p->bytes_fetched, total);
  EXPECT_EQ(p->errors, 0u);
  EXPECT_GE(callbacks, 1);

  uint64_t gets = env.Gets(), lists = env.Lists(), heads = env.Heads();
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 20; ++i)
      ASSERT_OK(env.ReadAll("train/" + std::to_string(c) + "/" + std::to_string(i) + ".png"));
  }
  EXPECT_EQ(env.Gets(), gets);
  // The warm-up's flat listing also answered every lookup below train/.
  EXPECT_EQ(env.Lists(), lists);
  EXPECT_EQ(env.Heads(), heads);

  // A second warm-up finds everything cached.
  Result<WarmProgress> again = warmer.Run({"/data/train"}, WarmOptions{}, [](const WarmProgress&) {});
  ASSERT_OK(again);
  EXPECT_EQ(again->bytes_fetched, 0u);
  EXPECT_EQ(env.Gets(), gets);
}

TEST(WarmerTest, MetadataOnlyFetchesNoData) {
  FsTestEnv env;
  for (int i = 0; i < 30; ++i) env.Put("d/sub" + std::to_string(i % 3) + "/f" + std::to_string(i), "x");
  Warmer warmer(env.fs.get(), env.fetcher.get(), &env.clock);
  Result<WarmProgress> p =
      warmer.Run({"/data/d"}, WarmOptions{.metadata_only = true}, [](const WarmProgress&) {});
  ASSERT_OK(p);
  EXPECT_EQ(p->files_total, 30u);
  EXPECT_EQ(env.Gets(), 0u);
  uint64_t lists = env.Lists(), heads = env.Heads();
  for (int i = 0; i < 30; ++i)
    ASSERT_OK(env.Walk("d/sub" + std::to_string(i % 3) + "/f" + std::to_string(i)));
  EXPECT_EQ(env.Lists(), lists);
  EXPECT_EQ(env.Heads(), heads);
}

TEST(WarmerTest, MissingPathFailsAndFetchErrorsAreCounted) {
  FsTestEnv env;
  env.Put("d/a", RandomBytes(10, 1));
  env.Put("d/b", RandomBytes(10, 2));
  Warmer warmer(env.fs.get(), env.fetcher.get(), &env.clock);
  EXPECT_STATUS(warmer.Run({"/data/nope"}, WarmOptions{}, [](const WarmProgress&) {}), kNotFound);
  env.store.FailNext(store::StoreOp::kGet, Status::Unavailable("injected"), 1);
  Result<WarmProgress> p = warmer.Run({"/data/d"}, WarmOptions{.parallel = 1}, [](const WarmProgress&) {});
  ASSERT_OK(p);
  EXPECT_EQ(p->errors, 1u);
  EXPECT_NE(p->first_error.find("injected"), std::string::npos);
  EXPECT_EQ(p->files_done, 2u);
}

}  // namespace
}  // namespace ava::fs
