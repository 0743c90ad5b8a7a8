#include "store/put_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "common/file_util.h"

namespace ava::store {
namespace {

Status CheckOptions(const PutFileOptions& options) {
  if (options.part_size == 0 || options.streams < 1)
    return Status::InvalidArgument("PutFile: part_size and streams must be positive");
  return Status::OK();
}

}  // namespace

Status UploadFileParts(MultipartUpload& upload, int fd, uint64_t size, const std::vector<uint64_t>& indices,
                       const PutFileOptions& options) {
  AVA_RETURN_IF_ERROR(CheckOptions(options));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  auto work = [&] {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= indices.size()) return;
      uint64_t offset = indices[i] * options.part_size;
      uint64_t length = offset < size ? std::min(options.part_size, size - offset) : 0;
      Result<std::string> data = PReadUpTo(fd, length, offset);
      Status s = data.status();
      if (s.ok() && (length == 0 || data->size() != length)) {
        s = Status::IOError(fmt::format("part {} of a {}-byte file: the file ended at {} bytes",
                                        indices[i] + 1, size, offset + (data.ok() ? data->size() : 0)));
      }
      if (s.ok()) s = upload.UploadPart(static_cast<int>(indices[i] + 1), *data);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = s;
        failed = true;
        return;
      }
    }
  };
  const size_t streams = std::min(static_cast<size_t>(options.streams), indices.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < streams; ++i) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  return first_error;
}

Result<ObjectInfo> PutFile(ObjectStore& store, const std::string& key, int fd, uint64_t size,
                           const PutFileOptions& options) {
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

}  // namespace ava::store
