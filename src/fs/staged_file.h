// StagedFile: the bytes of a file being written, until they are committed to the durable tier (on
// flush/fsync/close). Several handles that open the same path for writing share one StagedFile,
// and readers of that path read it too, so every handle sees every write at once
// (read-after-write). Random writes and truncation work as on a local disk.
//
// Where the bytes live: a file that was given a memory lease keeps its bytes in RAM while it fits
// the lease, and moves them to a local staging file (giving the lease back) the first time it
// would not. Most outputs are small (logs, metrics, images), and for them a staging file cost a
// create, a write, a read and an unlink on the local disk per file. Neither place is durable: a
// crash loses only writes whose close/fsync had not returned, in both.
//
// Thread safety: all methods are safe for concurrent use (one mutex per file).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/file_util.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "fs/memory_budget.h"

namespace ava::fs {

class PartStreamer;

class StagedFile {
 public:
  // An empty file for the tree path `path`. It stays in RAM while it fits `memory`; with an empty
  // lease it is on disk from the start. Its staging file, once there is one, is `staging_path`.
  static Result<std::unique_ptr<StagedFile>> Create(std::string staging_path, std::string path,
                                                    BudgetLease memory);
  ~StagedFile();
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  const std::string& path() const { return path_; }
  // Renames the tree path this file will be committed under (a rename while open).
  void set_path(std::string path);

  // Writes `data` at `offset`; returns by how many bytes the file grew.
  Result<uint64_t> Write(uint64_t offset, std::string_view data);
  Result<std::string> Read(uint64_t offset, uint64_t length);
  // Sets the size; returns the change (negative when it shrank).
  Result<int64_t> Truncate(uint64_t size);
  uint64_t size() const;
  bool dirty() const;
  void MarkClean(uint64_t version);
  // Bumped on every change; a commit records the version it saved, so a write that races with the
  // commit keeps the file dirty.
  uint64_t version() const;

  // What a commit saves, read in one step.
  struct Snapshot {
    uint64_t version = 0;
    uint64_t size = 0;
    // The bytes while they are in RAM (exactly `size` of them), null once they are on disk. Later
    // writes do not change this string: a write copies the bytes first while a snapshot holds them.
    std::shared_ptr<const std::string> memory;
  };
  Snapshot Snap() const;
  // The staging file's descriptor, moving the bytes there first if they are in RAM. Stays valid
  // for the life of this object.
  Result<int> DiskFd();
  bool on_disk() const;

  // Open handles; the last release commits and deletes the staging file. Guarded by the
  // owner's registry lock.
  int handles = 0;
  // Bytes of durable-tier space reserved for this file's growth (WriteBack's accounting).
  std::atomic<uint64_t> reserved{0};
  // Set when the path was unlinked while open: the last close must not bring it back.
  std::atomic<bool> unlinked{false};
  // WriteBack's early upload of the parts this file has finished (null until the file is larger
  // than one part; see part_streamer.h).
  std::mutex streamer_mu;
  std::shared_ptr<PartStreamer> streamer GUARDED_BY(streamer_mu);

 private:
  StagedFile(std::string staging_path, std::string path)
      : staging_path_(std::move(staging_path)), path_(std::move(path)) {}
  // Moves the bytes from RAM to the staging file and gives the memory lease back.
  Status SpillLocked() REQUIRES(mu_);
  // The RAM copy, unshared (copied first if a snapshot holds it).
  std::string& OwnMemoryLocked() REQUIRES(mu_);

  const std::string staging_path_;
  mutable std::mutex mu_;
  std::string path_ GUARDED_BY(mu_);
  BudgetLease memory_ GUARDED_BY(mu_);
  std::shared_ptr<std::string> mem_ GUARDED_BY(mu_);  // the bytes while in RAM, else null
  UniqueFd fd_ GUARDED_BY(mu_);                       // the staging file, once the bytes are there
  uint64_t size_ GUARDED_BY(mu_) = 0;
  uint64_t version_ GUARDED_BY(mu_) = 0;
  uint64_t clean_version_ GUARDED_BY(mu_) = 0;
};

}  // namespace ava::fs
