#include "cache/local_disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/file_util.h"

namespace ava::cache {

namespace {

class PosixAppendFile final : public AppendFile {
 public:
  PosixAppendFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_.get(), data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, fmt::format("append to {}", path_));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }

  Status Sync() override {
    if (::fdatasync(fd_.get()) != 0) return Status::FromErrno(errno, fmt::format("fdatasync {}", path_));
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
      return Status::FromErrno(errno, fmt::format("truncate {}", path_));
    }
    return Status::OK();  // O_APPEND: the next write lands at the new end
  }

 private:
  std::string path_;
  UniqueFd fd_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  Result<std::string> Read(size_t n) override {
    std::string out(n, '\0');
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::read(fd_.get(), out.data() + done, n - done);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, fmt::format("read {}", path_));
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out.resize(done);
    return out;
  }

 private:
  std::string path_;
  UniqueFd fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;  // closing it releases the flock
};

class PosixDisk final : public LocalDisk {
 public:
  Status MakeDirs(const std::string& path, int mode) override { return ava::MakeDirs(path, mode); }

  Status WriteFile(const std::string& path, std::string_view data, bool sync) override {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) return Status::FromErrno(errno, fmt::format("create {}", path));
    Status s = PWriteAll(fd.get(), data, 0);
    if (!s.ok()) return s.Annotate(path);
    if (sync && ::fsync(fd.get()) != 0) return Status::FromErrno(errno, fmt::format("fsync {}", path));
    // close() can report a delayed write error (NFS, some FUSE file systems).
    if (::close(fd.release()) != 0) return Status::FromErrno(errno, fmt::format("close {}", path));
    return Status::OK();
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    return ava::WriteFileAtomic(path, data, 0600);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Status::FromErrno(errno, fmt::format("rename {} to {}", from, to));
    }
    return Status::OK();
  }

  Result<std::string> ReadFile(const std::string& path) override { return ava::ReadFile(path); }

  Result<std::string> ReadFilePrefix(const std::string& path, size_t n) override {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Status::FromErrno(errno, fmt::format("open {}", path));
    return PReadUpTo(fd.get(), n, 0);
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::FromErrno(errno, fmt::format("unlink {}", path));
    return Status::OK();
  }

  Result<bool> FileExists(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return Status::FromErrno(errno, fmt::format("stat {}", path));
  }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, fmt::format("stat {}", path));
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return Status::FromErrno(errno, fmt::format("opendir {}", path));
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(d);
    return names;
  }

  Result<std::unique_ptr<AppendFile>> OpenAppendFile(const std::string& path) override {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!fd.valid()) return Status::FromErrno(errno, fmt::format("open {} for append", path));
    return std::unique_ptr<AppendFile>(std::make_unique<PosixAppendFile>(path, std::move(fd)));
  }

  Result<std::unique_ptr<SequentialFile>> OpenSequentialFile(const std::string& path) override {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Status::FromErrno(errno, fmt::format("open {}", path));
    return std::unique_ptr<SequentialFile>(std::make_unique<PosixSequentialFile>(path, std::move(fd)));
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.valid()) return Status::FromErrno(errno, fmt::format("open lock file {}", path));
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return Status::FailedPrecondition(fmt::format(
            "{} is locked: another avafs process (or cache) is using this cache directory", path));
      }
      return Status::FromErrno(errno, fmt::format("flock {}", path));
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(std::move(fd)));
  }
};

}  // namespace

std::unique_ptr<LocalDisk> NewPosixDisk() { return std::make_unique<PosixDisk>(); }

}  // namespace ava::cache
