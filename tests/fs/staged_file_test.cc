#include "fs/staged_file.h"

#include <sys/stat.h>

#include "fs_test_env.h"

namespace ava::fs {
namespace {

using testing::RandomBytes;

constexpr uint64_t kLease = 64 * 1024;

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Each test runs against a file that starts in RAM and one that is on disk from the start: both
// must behave as a local file would.
class StagedFileTest : public ::testing::TestWithParam<bool> {
 protected:
  StagedFileTest() : budget_(4 * kLease) {}
  void SetUp() override {
    BudgetLease lease;
    if (in_memory()) {
      ASSERT_TRUE(budget_.TryAcquire(kLease));
      lease = BudgetLease(&budget_, kLease);
    }
    auto made = StagedFile::Create(staging(), "out/log.txt", std::move(lease));
    ASSERT_OK(made);
    file_ = std::move(*made);
  }
  bool in_memory() const { return GetParam(); }
  std::string staging() const { return dir_.Sub("1"); }
  std::string ReadAll() {
    Result<std::string> r = file_->Read(0, 1 << 30);
    EXPECT_OK(r);
    return r.ok() ? *r : std::string();
  }

  ava::testing::TempDir dir_;
  MemoryBudget budget_;
  std::unique_ptr<StagedFile> file_;
};

TEST_P(StagedFileTest, RandomWritesHolesAndTruncateReadBackAsOnALocalFile) {
  ASSERT_OK(file_->Write(0, "hello world"));
  ASSERT_OK(file_->Write(6, "WORLD!"));
  EXPECT_EQ(ReadAll(), "hello WORLD!");
  // A write past the end leaves a hole of zeros.
  Result<uint64_t> grew = file_->Write(20, "x");
  ASSERT_OK(grew);
  EXPECT_EQ(*grew, 9u);
  EXPECT_EQ(ReadAll(), std::string("hello WORLD!") + std::string(8, '\0') + "x");
  ASSERT_OK(file_->Truncate(5));
  EXPECT_EQ(ReadAll(), "hello");
  ASSERT_OK(file_->Truncate(8));
  EXPECT_EQ(ReadAll(), std::string("hello") + std::string(3, '\0'));
  EXPECT_EQ(file_->size(), 8u);
  Result<std::string> mid = file_->Read(1, 3);
  ASSERT_OK(mid);
  EXPECT_EQ(*mid, "ell");
}

TEST_P(StagedFileTest, SmallFilesNeverTouchTheDiskWhenTheyHaveALease) {
  ASSERT_OK(file_->Write(0, RandomBytes(kLease, 1)));
  EXPECT_EQ(file_->on_disk(), !in_memory());
  EXPECT_EQ(Exists(staging()), !in_memory());
  EXPECT_EQ(budget_.used(), in_memory() ? kLease : 0);
}

TEST_P(StagedFileTest, GrowingPastTheLeaseMovesTheBytesToDiskAndGivesTheMemoryBack) {
  std::string a = RandomBytes(kLease - 10, 2);
  std::string b = RandomBytes(100, 3);
  ASSERT_OK(file_->Write(0, a));
  ASSERT_OK(file_->Write(a.size(), b));
  EXPECT_TRUE(file_->on_disk());
  EXPECT_TRUE(Exists(staging()));
  EXPECT_EQ(budget_.used(), 0u);
  EXPECT_EQ(ReadAll(), a + b);
  Result<int> fd = file_->DiskFd();
  ASSERT_OK(fd);
  Result<std::string> raw = PReadUpTo(*fd, a.size() + b.size(), 0);
  ASSERT_OK(raw);
  EXPECT_EQ(*raw, a + b);
}

TEST_P(StagedFileTest, ExtendingByTruncatePastTheLeaseMovesToDisk) {
  ASSERT_OK(file_->Write(0, "abc"));
  ASSERT_OK(file_->Truncate(kLease + 1));
  EXPECT_TRUE(file_->on_disk());
  EXPECT_EQ(ReadAll(), std::string("abc") + std::string(kLease - 2, '\0'));
}

TEST_P(StagedFileTest, ASnapshotKeepsTheBytesItWasTakenWith) {
  ASSERT_OK(file_->Write(0, "version one"));
  StagedFile::Snapshot snap = file_->Snap();
  EXPECT_EQ(snap.size, 11u);
  ASSERT_OK(file_->Write(0, "VERSION TWO, longer"));
  EXPECT_NE(file_->version(), snap.version);
  if (in_memory()) {
    ASSERT_NE(snap.memory, nullptr);
    EXPECT_EQ(*snap.memory, "version one");  // what the commit sends is what it recorded
  } else {
    EXPECT_EQ(snap.memory, nullptr);
  }
  EXPECT_EQ(ReadAll(), "VERSION TWO, longer");
}

TEST_P(StagedFileTest, TheStagingFileGoesAwayWithTheObject) {
  ASSERT_OK(file_->Write(0, RandomBytes(2 * kLease, 4)));
  ASSERT_TRUE(Exists(staging()));
  file_.reset();
  EXPECT_FALSE(Exists(staging()));
  EXPECT_EQ(budget_.used(), 0u);
}

INSTANTIATE_TEST_SUITE_P(MemoryAndDisk, StagedFileTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Memory" : "Disk"; });

TEST(StagedFileCreateTest, AFileOnDiskFromTheStartFailsAtCreateWhenTheStagingDirectoryIsMissing) {
  ava::testing::TempDir dir;
  Result<std::unique_ptr<StagedFile>> f = StagedFile::Create(dir.Sub("missing/1"), "a", BudgetLease());
  EXPECT_FALSE(f.ok());
}

TEST(StagedFileCreateTest, AFileInMemoryReportsAMissingStagingDirectoryWhenItOutgrowsItsLease) {
  ava::testing::TempDir dir;
  MemoryBudget budget(kLease);
  ASSERT_TRUE(budget.TryAcquire(kLease));
  auto f = StagedFile::Create(dir.Sub("missing/1"), "a", BudgetLease(&budget, kLease));
  ASSERT_OK(f);
  ASSERT_OK((*f)->Write(0, "small"));
  Result<uint64_t> big = (*f)->Write(0, RandomBytes(kLease + 1, 5));
  EXPECT_FALSE(big.ok());
  Result<std::string> kept = (*f)->Read(0, 100);
  ASSERT_OK(kept);
  EXPECT_EQ(*kept, "small");  // the failed write changed nothing
}

}  // namespace
}  // namespace ava::fs
