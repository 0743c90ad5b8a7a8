#include "fs/staged_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace ava::fs {

Result<std::unique_ptr<StagedFile>> StagedFile::Create(const std::string& staging_path,
                                                       const std::string& path) {
  UniqueFd fd(::open(staging_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, fmt::format("create staging file {}", staging_path));
  return std::unique_ptr<StagedFile>(new StagedFile(staging_path, path, std::move(fd)));
}

StagedFile::~StagedFile() { ::unlink(staging_path_.c_str()); }

void StagedFile::set_path(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  path_ = std::move(path);
}

Result<uint64_t> StagedFile::Write(uint64_t offset, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  AVA_RETURN_IF_ERROR(PWriteAll(fd_.get(), data, offset));
  uint64_t end = offset + data.size();
  uint64_t grew = end > size_ ? end - size_ : 0;
  size_ += grew;
  ++version_;
  return grew;
}

Result<std::string> StagedFile::Read(uint64_t offset, uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  if (offset >= size_) return std::string();
  return PReadUpTo(fd_.get(), std::min(length, size_ - offset), offset);
}

Result<int64_t> StagedFile::Truncate(uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  // Not for an unchanged size (a new file "truncated" to 0): on ext4 any truncate to 0 makes the
  // close of the file write its data out (auto_da_alloc), and staging files never need that.
  if (size != size_ && ::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0)
    return Status::FromErrno(errno, "truncate staging file");
  int64_t delta = static_cast<int64_t>(size) - static_cast<int64_t>(size_);
  size_ = size;
  ++version_;
  return delta;
}

uint64_t StagedFile::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_;
}

bool StagedFile::dirty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_ != clean_version_;
}

void StagedFile::MarkClean(uint64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  clean_version_ = std::max(clean_version_, version);
}

uint64_t StagedFile::version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

}  // namespace ava::fs
