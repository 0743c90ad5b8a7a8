// Small POSIX helpers that return Status instead of setting errno, for the parts that keep state
// on local disk (SSD cache tier, journals, manifests).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace ava {

// Writes `data` to `path` so that a crash leaves either the old file or the new one, never a mix:
// write a temporary file beside it, fsync, rename over `path`, fsync the directory.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0600);
Result<std::string> ReadFile(const std::string& path);
// mkdir -p with `mode` for every directory it creates; an existing directory is left as it is.
Status MakeDirs(const std::string& path, int mode = 0700);
// Writes all of `data` at `offset` (pwrite loop; EINTR retried).
Status PWriteAll(int fd, std::string_view data, uint64_t offset);
// Reads up to `len` bytes at `offset`; fewer only at end of file.
Result<std::string> PReadUpTo(int fd, uint64_t len, uint64_t offset);
// The same into `*out` (resized to the bytes read), reusing its memory: a caller that reads many
// large ranges keeps one buffer instead of paying for fresh, zeroed pages every time.
Status PReadInto(int fd, uint64_t len, uint64_t offset, std::string* out);
Status FsyncDir(const std::string& dir);
// Directory part of a path ("/a/b/c" → "/a/b", "c" → ".").
std::string DirName(std::string_view path);

// Owns a file descriptor; closes it when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace ava
