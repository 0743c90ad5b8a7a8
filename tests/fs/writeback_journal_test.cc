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
    auto j = WritebackJournal::Open(path, &clock, "boot-1");
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

  auto reopened = WritebackJournal::Open(path, &clock, "boot-1");
  ASSERT_OK(reopened);
  JournalSnapshot snap = (*reopened)->Load();
  std::set<std::string> queued;
  for (const UploadEntry& e : snap.queue) queued.insert(e.path);
  EXPECT_EQ(queued.size(), size_t{kThreads * kEach});
  EXPECT_EQ(snap.durable.size(), size_t{kThreads * kEach});
}

TEST(WritebackJournalTest, KnowsWhenTheMachineWentDownWhileItWasOpen) {
  ava::testing::TempDir dir;
  FakeClock clock;
  const std::string path = dir.Sub("journal.db");
  auto open = [&](const std::string& boot) {
    auto j = WritebackJournal::Open(path, &clock, boot);
    EXPECT_OK(j);
    return j.ok() ? std::move(*j) : nullptr;
  };
  EXPECT_FALSE(open("boot-1")->unclean_reboot());  // new, then closed cleanly
  EXPECT_FALSE(open("boot-2")->unclean_reboot());  // a reboot after a clean close
  {
    auto j = open("boot-2");
    auto begun = j->BeginPut("a", 1, 0);
    ASSERT_OK(begun);
    ASSERT_OK(j->WaitSynced(begun->ticket));
    // The machine goes down with the journal open: the disk keeps what was synced.
    ASSERT_OK(WriteFileAtomic(dir.Sub("image.db"), *ReadFile(path)));
    ASSERT_OK(WriteFileAtomic(dir.Sub("image.db-wal"), *ReadFile(path + "-wal")));
  }
  auto restore = [&] {
    ::unlink((path + "-shm").c_str());
    ASSERT_OK(WriteFileAtomic(path, *ReadFile(dir.Sub("image.db"))));
    ASSERT_OK(WriteFileAtomic(path + "-wal", *ReadFile(dir.Sub("image.db-wal"))));
  };
  restore();
  EXPECT_FALSE(open("boot-2")->unclean_reboot());  // only the process died: nothing was lost
  restore();
  {
    auto j = open("boot-3");
    EXPECT_TRUE(j->unclean_reboot());
    EXPECT_EQ(j->Load().queue.size(), 1u);  // what was synced is there
  }
  // Not handled yet (say the durable tier could not be listed): the next start checks too.
  {
    auto j = open("boot-3");
    EXPECT_TRUE(j->unclean_reboot());
    ASSERT_OK(j->UncleanRebootHandled());
  }
  EXPECT_FALSE(open("boot-3")->unclean_reboot());
}

}  // namespace
}  // namespace ava::fs
