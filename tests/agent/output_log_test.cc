// The output log and its offsets: what is shipped is exactly what was written, in order, from where
// the last acknowledged batch ended.
#include "agent/output_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/file_util.h"
#include "test_util.h"

namespace ava {
namespace {

using agent::OutputStream;

std::string All(const std::vector<agent::OutputRecord>& records) {
  std::string s;
  for (const auto& r : records) s += (r.stream == OutputStream::kStdout ? "o:" : "e:") + r.data + "|";
  return s;
}

TEST(OutputLog, RecordsComeBackInOrderWithStreamAndTime) {
  testing::TempDir dir;
  const std::string path = dir.Sub("output.log");
  Result<agent::OutputLogWriter> w = agent::OutputLogWriter::Open(path);
  ASSERT_OK(w);
  ASSERT_OK(w->Append(OutputStream::kStdout, Nanos(100), "hello\n"));
  ASSERT_OK(w->Append(OutputStream::kStderr, Nanos(200), "oops\n"));
  ASSERT_OK(w->Append(OutputStream::kStdout, Nanos(300), std::string("bin\0ary\n", 8)));
  Result<agent::OutputLogBatch> b = agent::ReadOutputLog(path, 0, 1 << 20);
  ASSERT_OK(b);
  ASSERT_EQ(b->records.size(), 3u);
  EXPECT_EQ(b->records[0].time, Nanos(100));
  EXPECT_EQ(b->records[1].stream, OutputStream::kStderr);
  EXPECT_EQ(b->records[2].data, std::string("bin\0ary\n", 8));
  EXPECT_FALSE(b->torn);
  // Nothing after the end.
  Result<agent::OutputLogBatch> rest = agent::ReadOutputLog(path, b->next_offset, 1 << 20);
  ASSERT_OK(rest);
  EXPECT_TRUE(rest->records.empty());
  EXPECT_EQ(rest->next_offset, b->next_offset);
}

TEST(OutputLog, BatchesResumeFromTheirOffset) {
  testing::TempDir dir;
  const std::string path = dir.Sub("output.log");
  Result<agent::OutputLogWriter> w = agent::OutputLogWriter::Open(path);
  ASSERT_OK(w);
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    const std::string line = "line " + std::to_string(i) + "\n";
    ASSERT_OK(w->Append(i % 3 == 0 ? OutputStream::kStderr : OutputStream::kStdout, Nanos(i), line));
    expected += (i % 3 == 0 ? "e:" : "o:") + line + "|";
  }
  std::string got;
  uint64_t offset = 0;
  int batches = 0;
  for (;;) {
    Result<agent::OutputLogBatch> b = agent::ReadOutputLog(path, offset, 64);
    ASSERT_OK(b);
    if (b->records.empty()) break;
    got += All(b->records);
    offset = b->next_offset;
    ++batches;
  }
  EXPECT_EQ(got, expected);
  EXPECT_GT(batches, 10);  // 64-byte batches of ~8-byte lines
}

TEST(OutputLog, ARecordLargerThanTheBatchIsReadWhole) {
  testing::TempDir dir;
  const std::string path = dir.Sub("output.log");
  Result<agent::OutputLogWriter> w = agent::OutputLogWriter::Open(path);
  ASSERT_OK(w);
  const std::string big(100000, 'x');
  ASSERT_OK(w->Append(OutputStream::kStdout, Nanos(1), "small\n"));
  ASSERT_OK(w->Append(OutputStream::kStdout, Nanos(2), big));
  Result<agent::OutputLogBatch> first = agent::ReadOutputLog(path, 0, 1024);
  ASSERT_OK(first);
  ASSERT_EQ(first->records.size(), 1u);
  Result<agent::OutputLogBatch> second = agent::ReadOutputLog(path, first->next_offset, 1024);
  ASSERT_OK(second);
  ASSERT_EQ(second->records.size(), 1u);
  EXPECT_EQ(second->records[0].data, big);
}

TEST(OutputLog, ATornTailIsNotData) {
  testing::TempDir dir;
  const std::string path = dir.Sub("output.log");
  {
    Result<agent::OutputLogWriter> w = agent::OutputLogWriter::Open(path);
    ASSERT_OK(w);
    ASSERT_OK(w->Append(OutputStream::kStdout, Nanos(1), "whole\n"));
  }
  // A crash in the middle of the next record's write.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  const std::string partial = "o 2 20\nonly-part";
  ASSERT_EQ(::write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  ::close(fd);
  Result<agent::OutputLogBatch> b = agent::ReadOutputLog(path, 0, 1 << 20);
  ASSERT_OK(b);
  ASSERT_EQ(b->records.size(), 1u);
  EXPECT_TRUE(b->torn);
  Result<agent::OutputLogBatch> tail = agent::ReadOutputLog(path, b->next_offset, 1 << 20);
  ASSERT_OK(tail);
  EXPECT_TRUE(tail->records.empty());
  EXPECT_TRUE(tail->torn);
}

TEST(OutputLog, AnOffsetInsideARecordIsCorruption) {
  testing::TempDir dir;
  const std::string path = dir.Sub("output.log");
  Result<agent::OutputLogWriter> w = agent::OutputLogWriter::Open(path);
  ASSERT_OK(w);
  ASSERT_OK(w->Append(OutputStream::kStdout, Nanos(1), "hello world\n"));
  EXPECT_STATUS(agent::ReadOutputLog(path, 3, 1 << 20), kCorruption);
}

TEST(OutputLog, MissingFileIsEmpty) {
  testing::TempDir dir;
  Result<agent::OutputLogBatch> b = agent::ReadOutputLog(dir.Sub("none.log"), 0, 100);
  ASSERT_OK(b);
  EXPECT_TRUE(b->records.empty());
}

TEST(OutputLog, Utf8CharactersAreNeverSplit) {
  const std::string euro = "\xE2\x82\xAC";  // €
  EXPECT_EQ(agent::Utf8CompletePrefix("abc"), 3u);
  EXPECT_EQ(agent::Utf8CompletePrefix("ab" + euro), 5u);
  EXPECT_EQ(agent::Utf8CompletePrefix("ab" + euro.substr(0, 2)), 2u);
  EXPECT_EQ(agent::Utf8CompletePrefix("ab" + euro.substr(0, 1)), 2u);
  EXPECT_EQ(agent::Utf8CompletePrefix("\xF0\x9F\x98"), 0u);  // 3 of a 4-byte emoji
  EXPECT_EQ(agent::Utf8CompletePrefix("\xF0\x9F\x98\x80"), 4u);
  EXPECT_EQ(agent::Utf8CompletePrefix("a\xff"), 2u);  // not UTF-8 at all: passed on
  EXPECT_EQ(agent::Utf8CompletePrefix(""), 0u);
}

TEST(OutputLog, CoalescingKeepsOrderAcrossStreams) {
  std::vector<agent::OutputRecord> in = {{OutputStream::kStdout, Nanos(1), "a"},
                                         {OutputStream::kStdout, Nanos(2), "b"},
                                         {OutputStream::kStderr, Nanos(3), "c"},
                                         {OutputStream::kStdout, Nanos(4), "d"},
                                         {OutputStream::kStdout, Nanos(5), "eeee"}};
  std::vector<agent::OutputRecord> out = agent::CoalesceRecords(in, 4);
  EXPECT_EQ(All(out), "o:ab|e:c|o:d|o:eeee|");
  EXPECT_EQ(out[0].time, Nanos(1));
}

}  // namespace
}  // namespace ava
