#include "cache/ssd_index_journal.h"

#include <gtest/gtest.h>

#include <vector>

#include "cache_test_util.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava::cache {
namespace {

using testing::Key;
using Type = JournalRecord::Type;

class SsdIndexJournalTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.Sub("index.journal"); }

  std::vector<JournalRecord> ReplayAll(JournalReplayResult* result = nullptr) {
    std::vector<JournalRecord> out;
    auto r =
        SsdIndexJournal::Replay(disk_.get(), path(), [&](const JournalRecord& rec) { out.push_back(rec); });
    EXPECT_OK(r);
    if (r.ok() && result != nullptr) *result = *r;
    return out;
  }

  static std::string Rec(Type t, const BlockKey& k, uint64_t charge = 0) {
    std::string out;
    EncodeJournalRecord(JournalRecord{.type = t, .key = k, .charge = charge}, &out);
    EXPECT_EQ(out.size(), JournalRecordSize(t, k));
    return out;
  }

  ava::testing::TempDir dir_;
  std::unique_ptr<LocalDisk> disk_ = NewPosixDisk();
};

TEST_F(SsdIndexJournalTest, AppendedRecordsReplayInOrder) {
  auto j = SsdIndexJournal::Open(disk_.get(), path(), 0);
  ASSERT_OK(j);
  ASSERT_OK((*j)->Append(Rec(Type::kInsert, Key(1), 8192) + Rec(Type::kInsert, Key(2), 4096)));
  ASSERT_OK((*j)->Append(Rec(Type::kErase, Key(1))));
  ASSERT_OK((*j)->Append(Rec(Type::kClean, {})));
  JournalReplayResult result;
  auto recs = ReplayAll(&result);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].type, Type::kInsert);
  EXPECT_EQ(recs[0].key, Key(1));
  EXPECT_EQ(recs[0].charge, 8192u);
  EXPECT_EQ(recs[1].key, Key(2));
  EXPECT_EQ(recs[2].type, Type::kErase);
  EXPECT_TRUE(result.clean);
  EXPECT_EQ(result.valid_bytes, (*j)->size());
  EXPECT_TRUE(result.tail_problem.empty());
}

TEST_F(SsdIndexJournalTest, TornTailIsIgnoredAndReported) {
  {
    auto j = SsdIndexJournal::Open(disk_.get(), path(), 0);
    ASSERT_OK(j);
    ASSERT_OK((*j)->Append(Rec(Type::kInsert, Key(1), 4096)));
    std::string second = Rec(Type::kInsert, Key(2), 4096);
    ASSERT_OK((*j)->Append(second.substr(0, second.size() / 2)));  // a crash mid-write
  }
  JournalReplayResult result;
  auto recs = ReplayAll(&result);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].key, Key(1));
  EXPECT_FALSE(result.clean);
  EXPECT_NE(result.tail_problem.find("cut short"), std::string::npos) << result.tail_problem;
  EXPECT_GT(result.ignored_bytes, 0u);

  // Reopening at the valid prefix drops the torn bytes; new records are readable after it.
  auto j = SsdIndexJournal::Open(disk_.get(), path(), result.valid_bytes);
  ASSERT_OK(j);
  ASSERT_OK((*j)->Append(Rec(Type::kInsert, Key(3), 4096)));
  recs = ReplayAll(&result);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].key, Key(3));
  EXPECT_TRUE(result.tail_problem.empty());
}

TEST_F(SsdIndexJournalTest, FlippedByteEndsTheReplayThere) {
  {
    auto j = SsdIndexJournal::Open(disk_.get(), path(), 0);
    ASSERT_OK(j);
    ASSERT_OK((*j)->Append(Rec(Type::kInsert, Key(1), 4096) + Rec(Type::kInsert, Key(2), 4096) +
                           Rec(Type::kInsert, Key(3), 4096)));
  }
  auto contents = ReadFile(path());
  ASSERT_OK(contents);
  std::string bad = *contents;
  bad[bad.size() - JournalRecordSize(Type::kInsert, Key(3)) - 5] ^= 0x40;  // inside record 2
  ASSERT_OK(WriteFileAtomic(path(), bad));
  JournalReplayResult result;
  auto recs = ReplayAll(&result);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_NE(result.tail_problem.find("checksum"), std::string::npos) << result.tail_problem;
}

TEST_F(SsdIndexJournalTest, RewriteReplacesContents) {
  auto j = SsdIndexJournal::Open(disk_.get(), path(), 0);
  ASSERT_OK(j);
  for (int i = 0; i < 50; ++i) ASSERT_OK((*j)->Append(Rec(Type::kInsert, Key(i), 4096)));
  uint64_t before = (*j)->size();
  ASSERT_OK((*j)->Rewrite([&] { return Rec(Type::kInsert, Key(49), 4096); }));
  EXPECT_LT((*j)->size(), before);
  ASSERT_OK((*j)->Append(Rec(Type::kTouch, Key(49))));  // appends go to the new file
  auto recs = ReplayAll();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].key, Key(49));
  EXPECT_EQ(recs[1].type, Type::kTouch);
  auto size = disk_->FileSize(path());
  ASSERT_OK(size);
  EXPECT_EQ(*size, (*j)->size());
}

TEST_F(SsdIndexJournalTest, RejectsOtherFiles) {
  ASSERT_OK(WriteFileAtomic(path(), std::string(100, 'x')));
  auto r = SsdIndexJournal::Replay(disk_.get(), path(), [](const JournalRecord&) {});
  // Garbage from the first byte: the "file header" fails its checksum, which reads as an empty
  // journal with an ignored tail, never as records.
  ASSERT_OK(r);
  EXPECT_EQ(r->records, 0u);
  EXPECT_EQ(r->valid_bytes, 0u);
}

TEST_F(SsdIndexJournalTest, MissingJournalIsNotFound) {
  auto r = SsdIndexJournal::Replay(disk_.get(), path(), [](const JournalRecord&) {});
  EXPECT_STATUS(r, kNotFound);
}

}  // namespace
}  // namespace ava::cache
