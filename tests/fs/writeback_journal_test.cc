#include "fs/writeback_journal.h"

#include <set>
#include <thread>
#include <vector>

#include "fs_test_env.h"

namespace ava::fs {
namespace {

TEST(WritebackJournalTest, ConcurrentCommitsShareSyncsAndAllSurviveAReopen) {
  ava::testing::TempDir dir;
  FakeClock clock;
  const std::string path = dir.Sub("journal.db");
  constexpr int kThreads = 8, kEach = 100;
  uint64_t commits = 0, syncs = 0;
  {
    auto j = WritebackJournal::Open(path, &clock);
    ASSERT_OK(j);
    const uint64_t base = (*j)->commits();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          EXPECT_OK((*j)->BeginPut(fmt::format("t{}/f{}", t, i), 100, 0));
        }
      });
    }
    for (std::thread& th : threads) th.join();
    commits = (*j)->commits() - base;
    syncs = (*j)->syncs();
  }
  EXPECT_EQ(commits, uint64_t{kThreads * kEach});
  // Eight writers at once: some commits rode on another's sync.
  EXPECT_LT(syncs, commits);

  auto reopened = WritebackJournal::Open(path, &clock);
  ASSERT_OK(reopened);
  JournalSnapshot snap = (*reopened)->Load();
  std::set<std::string> queued;
  for (const UploadEntry& e : snap.queue) queued.insert(e.path);
  EXPECT_EQ(queued.size(), size_t{kThreads * kEach});
  EXPECT_EQ(snap.durable.size(), size_t{kThreads * kEach});
}

}  // namespace
}  // namespace ava::fs
