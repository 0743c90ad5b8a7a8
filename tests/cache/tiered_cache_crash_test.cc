// Recovery after an unclean stop: a child process fills a cache and is killed with SIGKILL (no
// Stop(), no snapshot, threads mid-flight); the parent reopens the directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/ssd_block_format.h"
#include "cache/ssd_index_journal.h"
#include "cache/ssd_tier.h"
#include "cache/tiered_cache.h"
#include "cache_test_util.h"
#include "test_util.h"

namespace ava::cache {
namespace {

using testing::Data;
using testing::Key;

constexpr int kBlocks = 20;

class TieredCacheCrashTest : public ::testing::Test {
 protected:
  CacheConfig Config() const {
    CacheConfig c;
    c.ram.capacity_bytes = 1 << 20;
    c.ssd.capacity_bytes = 64 * SsdBlockCharge(Key(0));
    c.ssd_dir = dir_.Sub("ssd");
    return c;
  }

  // Runs in a child: inserts kBlocks blocks, waits until they are on SSD, touches a few, and dies
  // by SIGKILL. Never returns.
  [[noreturn]] void FillAndDie() {
    FakeClock clock;
    CacheEnv env{.clock = &clock};
    auto cache = TieredCache::Open(Config(), env);
    if (!cache.ok()) _exit(2);
    (*cache)->Start();
    for (int i = 0; i < kBlocks; ++i) (*cache)->Insert(Key(i), Data(Key(i)));
    (*cache)->Flush();
    ::raise(SIGKILL);
    _exit(3);
  }

  void CrashAChild() {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) FillAndDie();
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  }

  std::unique_ptr<TieredCache> Reopen() {
    CacheEnv env{.clock = &clock_, .logger = &logger_};
    auto r = TieredCache::Open(Config(), env);
    EXPECT_OK(r);
    if (!r.ok()) return nullptr;
    (*r)->Flush();
    return std::move(r).value();
  }

  uint64_t JournalSize() {
    auto size = disk_->FileSize(SsdTier::JournalPathIn(Config().ssd_dir));
    EXPECT_OK(size);
    // The tier charges the journal its size plus room for two empty marker records.
    return size.ok() ? *size + 2 * JournalRecordSize(JournalRecord::Type::kClean, BlockKey{}) : 0;
  }

  std::string AllLogLines() const { return fmt::format("{}", fmt::join(logger_.Lines(), "\n")); }

  ava::testing::TempDir dir_;
  FakeClock clock_;
  CapturingLogger logger_;
  std::unique_ptr<LocalDisk> disk_ = NewPosixDisk();
};

TEST_F(TieredCacheCrashTest, BlocksSurviveKill9) {
  CrashAChild();
  auto cache = Reopen();
  ASSERT_NE(cache, nullptr);
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.ssd.blocks, static_cast<uint64_t>(kBlocks));
  EXPECT_EQ(s.ssd.used_bytes, kBlocks * SsdBlockCharge(Key(0)) + JournalSize());
  for (int i = 0; i < kBlocks; ++i) {
    auto got = cache->Lookup(Key(i));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(**got, *Data(Key(i)));
  }
  EXPECT_EQ(cache->Stats().ssd.hits, static_cast<uint64_t>(kBlocks));
  EXPECT_NE(AllLogLines().find("unclean stop"), std::string::npos) << AllLogLines();
}

TEST_F(TieredCacheCrashTest, MissingFilesAreDroppedAndAccountingStaysRight) {
  CrashAChild();
  // As if the process died between journaling two inserts and renaming their files into place.
  ASSERT_OK(disk_->RemoveFile(SsdTier::BlockPathIn(Config().ssd_dir, Key(3))));
  ASSERT_OK(disk_->RemoveFile(SsdTier::BlockPathIn(Config().ssd_dir, Key(7))));
  auto cache = Reopen();
  ASSERT_NE(cache, nullptr);
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.ssd.blocks, static_cast<uint64_t>(kBlocks - 2));
  EXPECT_EQ(s.ssd.used_bytes, (kBlocks - 2) * SsdBlockCharge(Key(0)) + JournalSize());
  EXPECT_FALSE(cache->Contains(Key(3)));
  EXPECT_TRUE(cache->Contains(Key(4)));
  EXPECT_NE(AllLogLines().find("2 missing files dropped"), std::string::npos) << AllLogLines();
}

TEST_F(TieredCacheCrashTest, TornLastJournalRecordIsIgnored) {
  CrashAChild();
  // A record cut short by the crash: the first half of an insert for a block that does not exist.
  std::string torn;
  EncodeJournalRecord(JournalRecord{.type = JournalRecord::Type::kInsert, .key = Key(99), .charge = 8192},
                      &torn);
  {
    auto f = disk_->OpenAppendFile(SsdTier::JournalPathIn(Config().ssd_dir));
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(torn.substr(0, torn.size() / 2)));
  }
  auto cache = Reopen();
  ASSERT_NE(cache, nullptr);
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.ssd.blocks, static_cast<uint64_t>(kBlocks));
  EXPECT_EQ(s.ssd.used_bytes, kBlocks * SsdBlockCharge(Key(0)) + JournalSize());
  EXPECT_FALSE(cache->Contains(Key(99)));
  EXPECT_NE(AllLogLines().find("cut short (torn write)"), std::string::npos) << AllLogLines();

  // The rewritten journal is whole again: a clean restart reads it without complaint.
  cache->Stop();
  cache.reset();
  logger_.Lines();
  auto again = Reopen();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->Stats().ssd.blocks, static_cast<uint64_t>(kBlocks));
  EXPECT_NE(AllLogLines().find(fmt::format("({} from the journal, clean stop", kBlocks)), std::string::npos)
      << AllLogLines();
}

}  // namespace
}  // namespace ava::cache
