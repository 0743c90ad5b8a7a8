#include "store/transfer.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "common/file_util.h"

namespace ava::store {
namespace {

Status CheckOptions(const TransferOptions& options) {
  if (options.part_size == 0 || options.streams < 1)
    return Status::InvalidArgument("transfer: part_size and streams must be positive");
  return Status::OK();
}

// Runs send(i, buffer) for i in [0, count) on up to `streams` threads (this one included); stops
// handing out work at the first error and returns it. Each thread passes one buffer to all of its
// sends, so a part does not cost a fresh part-sized allocation.
Status RunParts(size_t count, int streams, const std::function<Status(size_t, std::string&)>& send) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  auto work = [&] {
    std::string buffer;
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= count) return;
      Status s = send(i, buffer);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = s;
        failed = true;
        return;
      }
    }
  };
  const size_t threads = std::min(static_cast<size_t>(streams), count);
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < threads; ++i) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  return first_error;
}

uint64_t PartLength(uint64_t index, uint64_t size, uint64_t part_size) {
  uint64_t offset = index * part_size;
  return offset < size ? std::min(part_size, size - offset) : 0;
}

}  // namespace

Status UploadFileParts(MultipartUpload& upload, int fd, uint64_t size, const std::vector<uint64_t>& indices,
                       const TransferOptions& options) {
  AVA_RETURN_IF_ERROR(CheckOptions(options));
  return RunParts(indices.size(), options.streams, [&](size_t i, std::string& data) -> Status {
    const uint64_t offset = indices[i] * options.part_size;
    const uint64_t length = PartLength(indices[i], size, options.part_size);
    AVA_RETURN_IF_ERROR(PReadInto(fd, length, offset, &data));
    if (length == 0 || data.size() != length) {
      return Status::IOError(fmt::format("part {} of a {}-byte file: the file ended at {} bytes",
                                         indices[i] + 1, size, offset + data.size()));
    }
    return upload.UploadPart(static_cast<int>(indices[i] + 1), data);
  });
}

Result<ObjectInfo> PutFile(ObjectStore& store, const std::string& key, int fd, uint64_t size,
                           const TransferOptions& options) {
  AVA_RETURN_IF_ERROR(CheckOptions(options));
  if (size <= options.part_size) {
    AVA_ASSIGN_OR_RETURN(std::string data, PReadUpTo(fd, size, 0));
    if (data.size() != size)
      return Status::IOError(
          fmt::format("PutFile {}: the file has {} bytes, expected {}", key, data.size(), size));
    return store.Put(key, data);
  }
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<MultipartUpload> upload, store.StartMultipart(key));
  std::vector<uint64_t> indices((size + options.part_size - 1) / options.part_size);
  for (uint64_t i = 0; i < indices.size(); ++i) indices[i] = i;
  Status s = UploadFileParts(*upload, fd, size, indices, options);
  if (!s.ok()) {
    upload->Abort().IgnoreError();
    return s.Annotate("putting " + key);
  }
  return upload->Complete();
}

Result<uint64_t> CopyAcross(ObjectStore& from, ObjectStore& to, const ObjectInfo& source,
                            const std::string& to_key, const TransferOptions& options) {
  AVA_RETURN_IF_ERROR(CheckOptions(options));
  // Reads `length` bytes at `offset`, or the whole object when `length` is nullopt.
  auto read = [&](uint64_t offset, std::optional<uint64_t> length) -> Result<std::string> {
    GetRequest req;
    req.key = source.key;
    req.offset = offset;
    req.length = length;
    req.if_match = source.etag;
    const uint64_t want = length.value_or(source.size);
    AVA_ASSIGN_OR_RETURN(GetResult got, from.Get(req));
    if (got.data.size() != want) {
      return Status::FailedPrecondition(
          fmt::format("{}: {} bytes at {} came back as {}", source.key, want, offset, got.data.size()));
    }
    return std::move(got.data);
  };
  if (source.size <= options.part_size) {
    AVA_ASSIGN_OR_RETURN(std::string data, read(0, std::nullopt));
    AVA_RETURN_IF_ERROR(to.Put(to_key, data).status());
    return source.size;
  }
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<MultipartUpload> upload, to.StartMultipart(to_key));
  const size_t parts = (source.size + options.part_size - 1) / options.part_size;
  Status s = RunParts(parts, options.streams, [&](size_t i, std::string& /*buffer*/) -> Status {
    AVA_ASSIGN_OR_RETURN(std::string data,
                         read(i * options.part_size, PartLength(i, source.size, options.part_size)));
    return upload->UploadPart(static_cast<int>(i + 1), data);
  });
  if (s.ok()) s = upload->Complete().status();
  if (!s.ok()) {
    upload->Abort().IgnoreError();
    return s;
  }
  return source.size;
}

}  // namespace ava::store
