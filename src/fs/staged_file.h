// StagedFile: the bytes of a file being written, in a local staging file, until they are
// committed to the durable tier (on flush/fsync/close). Several handles that open the same path
// for writing share one StagedFile, and readers of that path read it too, so every handle sees
// every write at once (read-after-write). Random writes and truncation work as on a local disk.
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

namespace ava::fs {

class PartStreamer;

class StagedFile {
 public:
  // Creates an empty staging file at `staging_path` for the tree path `path`.
  static Result<std::unique_ptr<StagedFile>> Create(const std::string& staging_path, const std::string& path);
  ~StagedFile();

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
  int fd() const { return fd_.get(); }

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
  StagedFile(std::string staging_path, std::string path, UniqueFd fd)
      : staging_path_(std::move(staging_path)), path_(std::move(path)), fd_(std::move(fd)) {}

  const std::string staging_path_;
  mutable std::mutex mu_;
  std::string path_ GUARDED_BY(mu_);
  UniqueFd fd_;
  uint64_t size_ GUARDED_BY(mu_) = 0;
  uint64_t version_ GUARDED_BY(mu_) = 0;
  uint64_t clean_version_ GUARDED_BY(mu_) = 0;
};

}  // namespace ava::fs
