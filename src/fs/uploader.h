// Uploader: moves a writable mount's queued changes from the durable tier to the cloud store, in
// the background, in order per path (create → write → rename → delete reach the cloud in that
// order), with retries and exponential backoff while the cloud is down, and never dropping an
// entry: only success removes one from the journal. Entries become due `upload_delay` after they
// were queued, at once when the durable tier is above its high watermark, or when expedited
// (avafs flush). An entry interrupted by a crash runs again after restart; every operation is
// idempotent (PUT copies whatever the durable tier holds now; DELETE of a missing name succeeds).
//
// Lifecycle: Start() starts the dispatcher and workers; Stop() lets running uploads finish.
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/thread_pool.h"
#include "fs/writeback_index.h"
#include "fs/writeback_journal.h"
#include "store/object_store.h"

namespace ava::fs {

struct UploaderConfig {
  int threads = 4;
  uint64_t part_size = 16ull << 20;  // objects larger than this are uploaded in parts, streamed
  Nanos base_backoff = std::chrono::milliseconds(500);
  Nanos max_backoff = std::chrono::seconds(30);
};

class Uploader {
 public:
  Uploader(UploaderConfig config, std::string mount, store::ObjectStore* durable, store::ObjectStore* cloud,
           WritebackJournal* journal, WritebackIndex* index, Clock* clock, Logger* logger,
           MetricsRegistry* metrics, std::function<bool()> under_pressure);
  ~Uploader();

  void Start();
  void Stop();
  // New work was queued (or the durable tier filled up): look again now.
  void Wake();
  // Processes every runnable entry on the calling thread until none is left (tests, flush
  // without threads). Returns how many entries ran.
  size_t RunUntilIdle(bool ignore_delay);
  // Runs one entry; Complete/RecordFailure as appropriate. Public for tests.
  Status Process(const UploadEntry& entry);

  uint64_t uploaded_bytes() const { return uploaded_bytes_.load(); }
  uint64_t errors() const { return errors_.load(); }

 private:
  void DispatchLoop();
  Status CopyToCloud(const std::string& path);
  void Finish(const UploadEntry& entry, const Status& result);

  const UploaderConfig config_;
  const std::string mount_;
  store::ObjectStore* durable_;
  store::ObjectStore* cloud_;
  WritebackJournal* journal_;
  WritebackIndex* index_;
  Clock* clock_;
  Logger* logger_;
  std::function<bool()> under_pressure_;
  std::atomic<uint64_t> uploaded_bytes_{0};
  std::atomic<uint64_t> errors_{0};
  Counter* uploaded_counter_ = nullptr;
  Counter* error_counter_ = nullptr;
  Counter* done_counter_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool woken_ GUARDED_BY(mu_) = false;
  std::set<int64_t> running_ GUARDED_BY(mu_);
  std::unique_ptr<ThreadPool> workers_;
  std::thread dispatcher_;
};

}  // namespace ava::fs
