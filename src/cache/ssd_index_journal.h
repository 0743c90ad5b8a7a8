// SsdIndexJournal: the SSD tier's persistent index — an append-only log of what the tier did, so a
// restarted cache (after a clean stop or a kill -9) knows which blocks it holds, their charges and
// roughly their recency, without scanning the block directory.
//
// File: `<ssd_dir>/index.journal`, a sequence of records:
//
//   u64 checksum   XXH3-64 of everything after it in the record (length, type, payload)
//   u32 length     payload bytes
//   u8  type       kFileHeader | kInsert | kErase | kTouch | kOpened | kClean
//   payload        kFileHeader: u32 magic "AVAJ", u32 version
//                  kInsert: key (store, key, etag as u32-length-prefixed bytes, u64 offset,
//                           u32 length), u64 charge
//                  kErase, kTouch: key
//                  kOpened, kClean: empty
//
// The first record is always kFileHeader. A record torn by a crash (short, or failing its
// checksum) ends the replay: it and everything after it are ignored and reported, and the owner
// truncates the file there before appending again. kClean is written last by a clean stop; a
// journal whose final record is kClean describes exactly the files on disk, anything else means
// the owner must verify entries against the disk.
//
// Rewrite (compaction, and the snapshot a clean stop writes) replaces the file atomically (temp
// file, fsync, rename, fsync directory). Appends are not fsynced: kill -9 loses nothing that
// write() returned, and after a power cut a stale entry only costs a miss (the block file's
// checksum or absence is checked on read).
//
// Errors: I/O errors from LocalDisk, annotated with the path; Replay returns Corruption for a file
// that is not a journal or has an unknown version (a torn tail is not an error).
// Thread safety: Append, Rewrite and size are safe for concurrent use (one internal mutex; Rewrite
// holds it while its build callback runs, so callers may take their own locks inside — the
// journal's mutex is always acquired before them).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "cache/block_key.h"
#include "cache/local_disk.h"
#include "common/result.h"
#include "common/thread_annotations.h"

namespace ava::cache {

struct JournalRecord {
  enum class Type : uint8_t { kFileHeader = 1, kInsert = 2, kErase = 3, kTouch = 4, kOpened = 5, kClean = 6 };
  Type type = Type::kInsert;
  BlockKey key;         // kInsert, kErase, kTouch
  uint64_t charge = 0;  // kInsert
};

inline constexpr uint32_t kJournalMagic = 0x4A415641;  // "AVAJ"
inline constexpr uint32_t kJournalVersion = 1;

// Appends the encoded record to `out`.
void EncodeJournalRecord(const JournalRecord& record, std::string* out);
// Bytes EncodeJournalRecord appends for a record of this type and key.
size_t JournalRecordSize(JournalRecord::Type type, const BlockKey& key);

struct JournalReplayResult {
  uint64_t records = 0;        // valid records after the file header
  uint64_t valid_bytes = 0;    // length of the valid prefix; appending resumes here
  uint64_t ignored_bytes = 0;  // torn or corrupt tail that was skipped
  std::string tail_problem;    // why the tail was ignored ("" when there was none)
  bool clean = false;          // the last valid record is kClean
};

class SsdIndexJournal {
 public:
  // Reads `path` front to back and calls `fn` for every valid record after the file header.
  // NotFound when there is no journal. An empty or torn-header file replays as empty.
  static Result<JournalReplayResult> Replay(LocalDisk* disk, const std::string& path,
                                            const std::function<void(const JournalRecord&)>& fn);

  // Opens `path` for appending after cutting it to `valid_bytes`; 0 (or a missing file) starts a
  // fresh journal with its file header.
  static Result<std::unique_ptr<SsdIndexJournal>> Open(LocalDisk* disk, std::string path,
                                                       uint64_t valid_bytes);

  // Appends encoded records (one write). `then`, if given, runs before the journal's mutex is
  // released, whether or not the write succeeded: the owner moves the bytes it had reserved into
  // the journal's size there, so no reader of both ever sees them twice or not at all.
  Status Append(std::string_view encoded_records, const std::function<void()>& then = {});
  // Atomically replaces the journal with a file header followed by what `build` returns (encoded
  // records). `build` runs under the journal's mutex, so no append lands between the state it
  // captures and the switch; so does `then` (given the new size), after a successful switch.
  Status Rewrite(const std::function<std::string()>& build, const std::function<void(uint64_t)>& then = {});

  // Current file size in bytes.
  uint64_t size() const { return size_.load(std::memory_order_relaxed); }
  const std::string& path() const { return path_; }

 private:
  SsdIndexJournal(LocalDisk* disk, std::string path) : disk_(disk), path_(std::move(path)) {}

  LocalDisk* const disk_;
  const std::string path_;
  std::mutex mu_;  // acquired before any lock of the journal's owner
  std::unique_ptr<AppendFile> file_ GUARDED_BY(mu_);
  std::atomic<uint64_t> size_{0};  // written under mu_
};

}  // namespace ava::cache
