#include "fs/part_streamer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "store/transfer.h"

namespace ava::fs {

Result<std::shared_ptr<PartStreamer>> PartStreamer::Create(store::ObjectStore* durable, std::string key,
                                                           int fd, uint64_t part_size, int streams,
                                                           ThreadPool* pool) {
  UniqueFd dup(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!dup.valid()) return Status::FromErrno(errno, "duplicate the staging file descriptor");
  return std::shared_ptr<PartStreamer>(
      new PartStreamer(durable, std::move(key), std::move(dup), part_size, std::max(streams, 1), pool));
}

PartStreamer::PartStreamer(store::ObjectStore* durable, std::string key, UniqueFd fd, uint64_t part_size,
                           int streams, ThreadPool* pool)
    : durable_(durable),
      key_(std::move(key)),
      fd_(std::move(fd)),
      part_size_(part_size),
      streams_(streams),
      pool_(pool) {}

PartStreamer::~PartStreamer() = default;  // an unfinished upload aborts itself

void PartStreamer::Wrote(uint64_t offset, uint64_t end, uint64_t file_size) {
  if (end <= offset) return;
  std::lock_guard lock(mu_);
  if (closed_) return;
  const uint64_t first = offset / part_size_;
  const uint64_t last = (end - 1) / part_size_;
  for (uint64_t i = first; i <= last; ++i) parts_[i].generation++;
  // Only the parts this write finished are queued: a write that ends inside a part (random
  // writes) leaves it for Finish, so a file rewritten in place is not sent over and over.
  for (uint64_t i = first; i <= last; ++i) {
    uint64_t part_end = (i + 1) * part_size_;
    if (part_end > end || part_end > file_size) break;
    Part& p = parts_[i];
    if (!p.queued) {
      p.queued = true;
      pending_.insert(i);
    }
  }
  Launch();
}

void PartStreamer::Launch() {
  while (running_ < streams_ && !pending_.empty()) {
    uint64_t index = *pending_.begin();
    pending_.erase(pending_.begin());
    ++running_;
    if (!pool_->Submit([self = shared_from_this(), index] { self->SendOne(index); })) {
      --running_;
      parts_[index].queued = false;
      return;
    }
  }
}

Result<store::MultipartUpload*> PartStreamer::Upload() {
  std::lock_guard lock(upload_mu_);
  if (!upload_) {
    AVA_ASSIGN_OR_RETURN(upload_, durable_->StartMultipart(key_));
  }
  return upload_.get();
}

void PartStreamer::SendOne(uint64_t index) {
  uint64_t generation;
  std::string data;
  {
    std::lock_guard lock(mu_);
    generation = parts_[index].generation;
    if (!spare_.empty()) {
      data = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  // The generation is read before the bytes: a write racing with this send leaves the part dirty.
  Status s = PReadInto(fd_.get(), part_size_, index * part_size_, &data);
  if (s.ok() && data.size() != part_size_) s = Status::OutOfRange("the staging file shrank");
  if (s.ok()) {
    Result<store::MultipartUpload*> upload = Upload();
    s = upload.ok() ? (*upload)->UploadPart(static_cast<int>(index + 1), data) : upload.status();
  }
  std::lock_guard lock(mu_);
  Part& p = parts_[index];
  p.queued = false;
  if (s.ok()) {
    p.sent = true;
    p.sent_generation = generation;
    p.sent_length = part_size_;
    ++sent_early_;
  }
  // A failed send is left to Finish, which sends the part again and reports a second failure.
  --running_;
  if (!closed_) {
    spare_.push_back(std::move(data));
    Launch();
  }
  idle_cv_.notify_all();
}

void PartStreamer::Close() {
  std::unique_lock lock(mu_);
  closed_ = true;
  for (uint64_t i : pending_) parts_[i].queued = false;
  pending_.clear();
  idle_cv_.wait(lock, [&] { return running_ == 0; });
  spare_.clear();
}

Result<store::ObjectInfo> PartStreamer::Finish(uint64_t size) {
  Close();
  const uint64_t count = (size + part_size_ - 1) / part_size_;
  std::vector<uint64_t> missing;
  {
    std::lock_guard lock(mu_);
    if (count < 2) return Status::FailedPrecondition(fmt::format("{}: one part; put it whole", key_));
    for (const auto& [i, p] : parts_) {
      if (p.sent && i >= count) {
        return Status::FailedPrecondition(
            fmt::format("{}: the file shrank below part {}, already sent; put it whole", key_, i + 1));
      }
    }
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t length = std::min(part_size_, size - i * part_size_);
      auto it = parts_.find(i);
      bool current = it != parts_.end() && it->second.sent &&
                     it->second.sent_generation == it->second.generation && it->second.sent_length == length;
      if (!current) missing.push_back(i);
    }
  }
  AVA_ASSIGN_OR_RETURN(store::MultipartUpload * upload, Upload());
  Status s = store::UploadFileParts(*upload, fd_.get(), size, missing,
                                    {.part_size = part_size_, .streams = streams_});
  std::lock_guard lock(upload_mu_);
  if (!s.ok()) {
    upload_->Abort().IgnoreError();
    upload_.reset();
    return s.Annotate("writing " + key_ + " to the durable tier");
  }
  Result<store::ObjectInfo> done = upload_->Complete();
  upload_.reset();
  return done;
}

void PartStreamer::Abandon() {
  Close();
  std::lock_guard lock(upload_mu_);
  if (upload_) upload_->Abort().IgnoreError();
  upload_.reset();
}

uint64_t PartStreamer::parts_sent_early() const {
  std::lock_guard lock(mu_);
  return sent_early_;
}

}  // namespace ava::fs
