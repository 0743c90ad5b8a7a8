#include "common/file_util.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ava {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status PWriteAll(int fd, std::string_view data, uint64_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "pwrite");
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status PReadInto(int fd, uint64_t len, uint64_t offset, std::string* out) {
  // resize() only zero-fills bytes beyond the old size, so a reused buffer is not touched twice.
  out->resize(len);
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, out->data() + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "pread");
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out->resize(done);
  return Status::OK();
}

Result<std::string> PReadUpTo(int fd, uint64_t len, uint64_t offset) {
  std::string out;
  AVA_RETURN_IF_ERROR(PReadInto(fd, len, offset, &out));
  return out;
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, fmt::format("open directory {}", dir));
  if (::fsync(fd.get()) != 0) return Status::FromErrno(errno, fmt::format("fsync directory {}", dir));
  return Status::OK();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd.valid()) return Status::FromErrno(errno, fmt::format("create {}", tmp));
    AVA_RETURN_IF_ERROR(PWriteAll(fd.get(), data, 0));
    if (::fsync(fd.get()) != 0) return Status::FromErrno(errno, fmt::format("fsync {}", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::FromErrno(errno, fmt::format("rename {} to {}", tmp, path));
    ::unlink(tmp.c_str());
    return s;
  }
  return FsyncDir(DirName(path));
}

Result<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, fmt::format("open {}", path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, fmt::format("stat {}", path));
  return PReadUpTo(fd.get(), static_cast<uint64_t>(st.st_size), 0);
}

Status MakeDirs(const std::string& path, int mode) {
  if (path.empty()) return Status::InvalidArgument("empty directory path");
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string part = path.substr(0, pos);
    if (part.empty()) continue;
    if (::mkdir(part.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
      return Status::FromErrno(errno, fmt::format("mkdir {}", part));
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, fmt::format("stat {}", path));
  if (!S_ISDIR(st.st_mode)) return Status::FailedPrecondition(fmt::format("{} is not a directory", path));
  return Status::OK();
}

}  // namespace ava
