// PartStreamer: sends the finished parts of a large file to the durable tier while the file is
// still being written, so that close() waits for the last part or two instead of the whole file.
//
// A checkpoint is written front to back. Each time a write completes a part (bytes
// [i × part_size, (i+1) × part_size) of the staging file), that part is read back and sent as part
// i + 1 of a multipart upload, in the background, at most `streams` at once. A later write into a
// part already sent makes it dirty again; Finish sends every part that is missing, dirty or of the
// wrong length, waits for all of them and completes the upload. Nothing is visible on the durable
// tier before Finish: an unfinished multipart upload is not an object. The caller's commit
// protocol (journal first, then Finish) is unchanged.
//
// Finish refuses (FailedPrecondition, and the caller puts the whole file instead) when the file
// shrank below a part already sent (S3 cannot drop a part from an upload) or is one part at most
// (a single PUT is cheaper). A part that failed in
// the background is sent again by Finish; its second failure is Finish's error.
//
// After kill -9 an unfinished upload stays in the bucket until the store's lifecycle rule for
// incomplete multipart uploads removes it (docs/avafs.md says so); it never becomes an object.
//
// Memory: at most `streams` part-sized buffers, kept from one part to the next while the file is
// being written (a fresh 16 MiB buffer per part cost more CPU in page faults and zeroing than the
// read into it) and freed by Finish or Abandon.
//
// Thread safety: all methods are safe for concurrent use. Background sends hold a reference to
// the streamer, which owns a duplicate of the staging file's descriptor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "common/thread_pool.h"
#include "store/object_store.h"

namespace ava::fs {

class PartStreamer : public std::enable_shared_from_this<PartStreamer> {
 public:
  // `fd` is the staging file (duplicated); `pool` runs the background sends and must outlive
  // every Finish/Abandon call (tasks still queued at its shutdown finish first).
  static Result<std::shared_ptr<PartStreamer>> Create(store::ObjectStore* durable, std::string key, int fd,
                                                      uint64_t part_size, int streams, ThreadPool* pool);
  ~PartStreamer();

  const std::string& key() const { return key_; }
  // Bytes [offset, end) were just written: parts they touched are dirty; parts now complete up to
  // `file_size` are queued to be sent.
  void Wrote(uint64_t offset, uint64_t end, uint64_t file_size);
  // Makes the file's first `size` bytes the object `key`. No background send runs afterwards.
  Result<store::ObjectInfo> Finish(uint64_t size);
  // Gives up: waits for running sends, aborts the upload.
  void Abandon();

  // Parts sent in the background so far (tests, metrics).
  uint64_t parts_sent_early() const;

 private:
  struct Part {
    uint64_t generation = 0;  // bumped by every write into the part
    bool queued = false;      // waiting for or in a background send
    bool sent = false;
    uint64_t sent_generation = 0;
    uint64_t sent_length = 0;
  };
  PartStreamer(store::ObjectStore* durable, std::string key, UniqueFd fd, uint64_t part_size, int streams,
               ThreadPool* pool);
  void Launch() REQUIRES(mu_);
  void SendOne(uint64_t index);
  // Starts the multipart upload on first use; returns it (null with the error).
  Result<store::MultipartUpload*> Upload();
  // Stops background sends and waits until none runs.
  void Close();

  store::ObjectStore* const durable_;
  const std::string key_;
  const UniqueFd fd_;
  const uint64_t part_size_;
  const int streams_;
  ThreadPool* const pool_;

  // Lock order: upload_mu_ is never held while taking mu_, nor mu_ while taking upload_mu_.
  std::mutex upload_mu_;
  std::unique_ptr<store::MultipartUpload> upload_ GUARDED_BY(upload_mu_);

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  std::map<uint64_t, Part> parts_ GUARDED_BY(mu_);
  std::set<uint64_t> pending_ GUARDED_BY(mu_);      // complete parts waiting for a free stream
  std::vector<std::string> spare_ GUARDED_BY(mu_);  // buffers of finished sends, for the next
  int running_ GUARDED_BY(mu_) = 0;
  bool closed_ GUARDED_BY(mu_) = false;  // Finish or Abandon began
  uint64_t sent_early_ GUARDED_BY(mu_) = 0;
};

}  // namespace ava::fs
