// OutputLog: the file where a job's supervisor records what the job writes to stdout and stderr, in
// the order it was read, each piece with its stream and the wall time it was read. The agent reads it
// from a saved byte offset and ships the records to avad, so logs survive an agent restart and are
// shipped exactly from where the last acknowledged batch ended.
//
// Format: a sequence of records `<o|e> <unix-nanos> <length>\n<length bytes of data>\n`. A record is
// appended with a single write(2) on an O_APPEND descriptor, so a reader sees whole records except,
// after a crash mid-write, a torn last one (reported as `torn`, never as data).
//
// Errors: ReadOutputLog returns Corruption for bytes that cannot be a record header (the offset is
// not at a record boundary, or the file was damaged), IOError when reading fails.
// Thread safety: a writer is owned by one thread (the supervisor's); readers are free functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/file_util.h"
#include "common/result.h"

namespace ava::agent {

enum class OutputStream { kStdout, kStderr };

// "stdout" | "stderr", the names docs/api.md uses.
std::string_view OutputStreamName(OutputStream s);

struct OutputRecord {
  OutputStream stream = OutputStream::kStdout;
  Nanos time{0};  // wall time (Unix epoch) at which the supervisor read it
  std::string data;
};

class OutputLogWriter {
 public:
  // Opens (creating 0600) `path` for appending.
  static Result<OutputLogWriter> Open(const std::string& path);
  Status Append(OutputStream stream, Nanos wall_time, std::string_view data);

 private:
  explicit OutputLogWriter(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

struct OutputLogBatch {
  std::vector<OutputRecord> records;
  uint64_t next_offset = 0;  // where the next read starts: just after the last whole record returned
  bool torn = false;         // bytes after next_offset that do not (yet) form a whole record
};

// Reads whole records from `offset` until about `max_bytes` of data are collected (at least one
// record when there is one, however large).
Result<OutputLogBatch> ReadOutputLog(const std::string& path, uint64_t offset, uint64_t max_bytes);

// Joins neighbouring records of the same stream into chunks of at most `max_chunk` bytes (a record
// larger than that stays whole), each keeping the time of its first record. Fewer, larger chunks
// for avad to store; the order of bytes within and across streams is unchanged.
std::vector<OutputRecord> CoalesceRecords(std::vector<OutputRecord> records, size_t max_chunk);

// The length of the longest prefix of `data` that does not end inside a UTF-8 multi-byte sequence,
// so a record never splits a character (the rest waits for the next read). Bytes that are not
// UTF-8 at all are left alone: they are shipped and replaced by U+FFFD when encoded as JSON.
size_t Utf8CompletePrefix(std::string_view data);

}  // namespace ava::agent
