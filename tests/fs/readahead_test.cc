#include "fs/readahead.h"

#include "test_util.h"

namespace ava::fs {
namespace {

constexpr uint64_t kB = 1 << 20;

TEST(ReadaheadTest, SequentialReaderDoublesWindowUpToTheCap) {
  ReadaheadWindow w(kB, 8);
  EXPECT_EQ(w.OnRead(0, 128 << 10), 1u);  // a reader starting at 0 gets one block ahead at once
  // More reads inside block 0 do not grow the window.
  EXPECT_EQ(w.OnRead(128 << 10, 128 << 10), 1u);
  std::vector<uint32_t> seen;
  for (uint64_t b = 1; b < 8; ++b) seen.push_back(w.OnRead(b * kB, kB));
  EXPECT_EQ(seen, (std::vector<uint32_t>{2, 4, 8, 8, 8, 8, 8}));
}

TEST(ReadaheadTest, SeekResetsTheWindow) {
  ReadaheadWindow w(kB, 16);
  w.OnRead(0, kB);
  w.OnRead(kB, kB);
  w.OnRead(2 * kB, kB);
  ASSERT_GE(w.window(), 4u);
  EXPECT_EQ(w.OnRead(100 * kB, 4096), 0u);  // jumped far away: no readahead
  EXPECT_EQ(w.OnRead(7 * kB, 4096), 0u);    // random again
  // Reading on from the new position grows it again from one block.
  EXPECT_EQ(w.OnRead(7 * kB + 4096, kB), 1u);
}

TEST(ReadaheadTest, FirstReadAwayFromStartIsNotAssumedSequential) {
  ReadaheadWindow w(kB, 16);
  EXPECT_EQ(w.OnRead(50 * kB, 4096), 0u);
}

TEST(ReadaheadTest, SlightlyOutOfOrderKernelReadsStaySequential) {
  ReadaheadWindow w(kB, 16);
  w.OnRead(0, 512 << 10);
  w.OnRead(1 * kB, 512 << 10);                    // skipped ahead half a block: async readahead
  EXPECT_GT(w.OnRead(512 << 10, 512 << 10), 0u);  // the request the kernel sent late
}

}  // namespace
}  // namespace ava::fs
