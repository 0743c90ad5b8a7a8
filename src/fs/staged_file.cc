#include "fs/staged_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace ava::fs {

namespace {

Result<UniqueFd> CreateStagingFile(const std::string& staging_path) {
  UniqueFd fd(::open(staging_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, fmt::format("create staging file {}", staging_path));
  return fd;
}

}  // namespace

Result<std::unique_ptr<StagedFile>> StagedFile::Create(std::string staging_path, std::string path,
                                                       BudgetLease memory) {
  std::unique_ptr<StagedFile> f(new StagedFile(std::move(staging_path), std::move(path)));
  std::lock_guard<std::mutex> lock(f->mu_);
  if (memory.bytes() > 0) {
    f->memory_ = std::move(memory);
    f->mem_ = std::make_shared<std::string>();
  } else {
    // On disk from the start: a staging directory that cannot take files fails the open, not a
    // later write.
    AVA_ASSIGN_OR_RETURN(f->fd_, CreateStagingFile(f->staging_path_));
  }
  return f;
}

StagedFile::~StagedFile() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_.valid()) ::unlink(staging_path_.c_str());
}

void StagedFile::set_path(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  path_ = std::move(path);
}

std::string& StagedFile::OwnMemoryLocked() {
  // A commit may be sending the current string: it keeps that one, the write gets a copy.
  if (mem_.use_count() > 1) mem_ = std::make_shared<std::string>(*mem_);
  return *mem_;
}

Status StagedFile::SpillLocked() {
  AVA_ASSIGN_OR_RETURN(UniqueFd fd, CreateStagingFile(staging_path_));
  Status s = PWriteAll(fd.get(), *mem_, 0);
  if (!s.ok()) {
    ::unlink(staging_path_.c_str());
    return s.Annotate("moving a file being written from memory to its staging file");
  }
  fd_ = std::move(fd);
  mem_.reset();
  memory_.Reset();
  return Status::OK();
}

Result<uint64_t> StagedFile::Write(uint64_t offset, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t end = offset + data.size();
  if (mem_ && end > memory_.bytes()) AVA_RETURN_IF_ERROR(SpillLocked());
  if (mem_) {
    std::string& m = OwnMemoryLocked();
    if (offset > m.size()) m.resize(offset);  // the hole reads as zeros, as in a sparse file
    const size_t overlap = std::min<size_t>(data.size(), m.size() - offset);
    m.replace(offset, overlap, data.substr(0, overlap));
    m.append(data.substr(overlap));
  } else {
    AVA_RETURN_IF_ERROR(PWriteAll(fd_.get(), data, offset));
  }
  const uint64_t grew = end > size_ ? end - size_ : 0;
  size_ += grew;
  ++version_;
  return grew;
}

Result<std::string> StagedFile::Read(uint64_t offset, uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  if (offset >= size_) return std::string();
  length = std::min(length, size_ - offset);
  if (mem_) return mem_->substr(offset, length);
  return PReadUpTo(fd_.get(), length, offset);
}

Result<int64_t> StagedFile::Truncate(uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (mem_ && size > memory_.bytes()) AVA_RETURN_IF_ERROR(SpillLocked());
  if (mem_) {
    if (size != size_) OwnMemoryLocked().resize(size);
  } else if (size != size_ && ::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    // Not for an unchanged size (a new file "truncated" to 0): on ext4 any truncate to 0 makes the
    // close of the file write its data out (auto_da_alloc), and staging files never need that.
    return Status::FromErrno(errno, "truncate staging file");
  }
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

StagedFile::Snapshot StagedFile::Snap() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {.version = version_, .size = size_, .memory = mem_};
}

Result<int> StagedFile::DiskFd() {
  std::lock_guard<std::mutex> lock(mu_);
  if (mem_) AVA_RETURN_IF_ERROR(SpillLocked());
  return fd_.get();
}

bool StagedFile::on_disk() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fd_.valid();
}

}  // namespace ava::fs
