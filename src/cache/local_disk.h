// LocalDisk: the narrow file-system interface the SSD tier uses (after LevelDB's Env and RocksDB's
// FileSystem), so tests can inject failures — a full disk, EIO — through a wrapper instead of
// filling a real disk. NewPosixDisk() is the real one; LocalDiskWrapper forwards every call, so a
// fault-injecting decorator overrides only what it breaks.
//
// Errors: every method returns a Status mapped from errno by Status::FromErrno (ENOENT → NotFound,
// ENOSPC → NoSpace, EIO → IOError, …) with the path in the message.
// Thread safety: implementations are safe for concurrent use; a returned file object is used by
// one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ava::cache {

// A file opened for appending (the index journal).
class AppendFile {
 public:
  virtual ~AppendFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;
  // Cuts the file to `size` bytes; later appends go after it.
  virtual Status Truncate(uint64_t size) = 0;
};

// A file read front to back in chunks.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Up to `n` bytes; fewer only at the end of the file (empty at the end).
  virtual Result<std::string> Read(size_t n) = 0;
};

// Held while the process owns a directory; released when destroyed (or when the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class LocalDisk {
 public:
  virtual ~LocalDisk() = default;

  // mkdir -p; directories it creates get `mode`.
  virtual Status MakeDirs(const std::string& path, int mode) = 0;
  // Creates or truncates `path` (mode 0600) and writes `data`; fsyncs it first when `sync`.
  virtual Status WriteFile(const std::string& path, std::string_view data, bool sync) = 0;
  // Replaces `path` so a crash leaves the old or the new contents (temp file, fsync, rename, fsync dir).
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // At most the first `n` bytes.
  virtual Result<std::string> ReadFilePrefix(const std::string& path, size_t n) = 0;
  // NotFound when there is nothing to remove.
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Result<bool> FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Names in a directory, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // Opens (creating 0600 if needed) for appending at the end.
  virtual Result<std::unique_ptr<AppendFile>> OpenAppendFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> OpenSequentialFile(const std::string& path) = 0;
  // An exclusive advisory lock (flock) on `path`, created if needed. FailedPrecondition when another
  // open file holds it — another process, or another cache in this one.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// The machine's file system through POSIX calls.
std::unique_ptr<LocalDisk> NewPosixDisk();

// Forwards every call to `target` (not owned; must outlive the wrapper).
class LocalDiskWrapper : public LocalDisk {
 public:
  explicit LocalDiskWrapper(LocalDisk* target) : target_(target) {}

  Status MakeDirs(const std::string& path, int mode) override { return target_->MakeDirs(path, mode); }
  Status WriteFile(const std::string& path, std::string_view data, bool sync) override {
    return target_->WriteFile(path, data, sync);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    return target_->WriteFileAtomic(path, data);
  }
  Status Rename(const std::string& from, const std::string& to) override { return target_->Rename(from, to); }
  Result<std::string> ReadFile(const std::string& path) override { return target_->ReadFile(path); }
  Result<std::string> ReadFilePrefix(const std::string& path, size_t n) override {
    return target_->ReadFilePrefix(path, n);
  }
  Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  Result<bool> FileExists(const std::string& path) override { return target_->FileExists(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return target_->FileSize(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return target_->ListDir(path);
  }
  Result<std::unique_ptr<AppendFile>> OpenAppendFile(const std::string& path) override {
    return target_->OpenAppendFile(path);
  }
  Result<std::unique_ptr<SequentialFile>> OpenSequentialFile(const std::string& path) override {
    return target_->OpenSequentialFile(path);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return target_->LockFile(path);
  }

 protected:
  LocalDisk* target() const { return target_; }

 private:
  LocalDisk* target_;
};

}  // namespace ava::cache
