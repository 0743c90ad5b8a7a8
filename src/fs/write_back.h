// WriteBack: the write path of one writable mount.
//
// Durability: a file written through avafs is staged (StagedFile) and, on flush, fsync or close,
// committed: first its upload is recorded in the journal, then the whole file is written to the
// durable tier (a Ceph/S3 bucket or a local directory; parts of a large file that the writer
// finished already went up while it was writing, see part_streamer.h), then the journal entry is
// synced (one sync for all commits that overlapped). When Commit returns OK the bytes are on the
// durable tier and their upload to the cloud store is journaled on disk; nothing after that can
// lose them. A kill -9 at any point loses no journal entry; a power loss can lose the entries of
// commits that had not returned, and Open then reconciles the journal with the durable tier.
// Deletes, renames and mkdir/rmdir are recorded (synced) in the journal before the durable tier is
// changed, and the journal is replayed against the durable tier at start, so a crash between the
// two leaves nothing half done.
//
// Space: the durable tier has a capacity with high/low watermarks. Above `high` uploads are due
// at once and the evictor removes durable copies whose upload is done (least recently used first)
// down to `low`. A write that would pass the capacity first evicts such copies synchronously, and
// fails with NoSpace (ENOSPC) if there are none — never by dropping data that is not in the cloud.
//
// Without a cloud store the durable tier is the mount's only store and nothing is evicted.
//
// Thread safety: all methods are safe for concurrent use. Lock order: a path's stripe lock before
// writers_mu_ (held briefly, never while calling a store); two stripes are taken in address order.
// Eviction only try-locks stripes (stripes are recursive: a thread making room while it holds one
// may evict other paths of the same stripe), so making room never waits for another path.
// A file's streamer_mu is taken after its stripe, never while calling a store.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/thread_pool.h"
#include "fs/memory_budget.h"
#include "fs/overlay_store.h"
#include "fs/staged_file.h"
#include "fs/uploader.h"
#include "fs/writeback_index.h"
#include "fs/writeback_journal.h"
#include "store/object_store.h"
#include "store/transfer.h"

namespace ava::fs {

struct WritebackConfig {
  std::string state_dir;  // journal and staging files; local disk, created 0700
  Nanos upload_delay = std::chrono::seconds(30);
  uint64_t durable_capacity = 0;  // 0: unlimited
  double durable_high_watermark = 0.8;
  double durable_low_watermark = 0.6;
  // RAM for files being written, so small files never touch the local disk (staged_file.h). A
  // file keeps its bytes in RAM up to kMemoryStagedFileMax while this much is free (each such
  // file holds the whole kMemoryStagedFileMax); 0: every file is staged on disk.
  uint64_t staging_memory = 64ull << 20;
  static constexpr uint64_t kMemoryStagedFileMax = 1ull << 20;
  UploaderConfig uploader;
  Status Validate() const;
};

struct WritebackStats {
  uint64_t queue_length = 0;
  uint64_t dirty_bytes = 0;           // on the durable tier, not yet in the cloud
  uint64_t staged_bytes = 0;          // in files open for writing
  uint64_t staging_memory_bytes = 0;  // RAM held by files open for writing (see staging_memory)
  double oldest_pending_seconds = 0;
  uint64_t durable_used_bytes = 0;
  uint64_t durable_capacity_bytes = 0;
  uint64_t uploaded_bytes = 0;
  uint64_t upload_errors = 0;
  uint64_t evictions = 0;
};

struct WritebackEnv {
  Clock* clock = nullptr;
  Logger* logger = nullptr;
  MetricsRegistry* metrics = nullptr;
  // This boot of the machine; empty: read /proc/sys/kernel/random/boot_id.
  std::string boot_id;
};

class WriteBack {
 public:
  // Opens the journal, replays pending changes against the durable tier and rebuilds the index.
  // `cloud` may be null (durable-only mount).
  static Result<std::unique_ptr<WriteBack>> Open(WritebackConfig config, std::string mount,
                                                 store::ObjectStore* durable, store::ObjectStore* cloud,
                                                 WritebackEnv env);
  ~WriteBack();

  // The mount's read view (durable over cloud, minus whiteouts).
  store::ObjectStore* view() { return &view_; }
  bool has_cloud() const { return cloud_ != nullptr; }
  // What the durable tier lists for `request` (used while the cloud store is unreachable).
  Result<store::ListPage> ListLocal(const store::ListRequest& request) { return view_.ListDurable(request); }

  void Start();  // uploader and evictor threads
  void Stop();

  // Opens `path` for writing. The file's current content (if any, and unless `truncate`) is
  // copied into the staging file first. Handles of the same path share one StagedFile.
  Result<std::shared_ptr<StagedFile>> OpenWriter(const std::string& path, bool truncate, bool is_new);
  std::shared_ptr<StagedFile> FindWriter(const std::string& path) const;
  // Names of files being written directly inside directory `dir` (for listings).
  std::vector<std::pair<std::string, uint64_t>> WritersIn(const std::string& dir) const;
  Status Write(StagedFile& file, uint64_t offset, std::string_view data);
  Status Truncate(StagedFile& file, uint64_t size);
  // Makes the staged content durable (see above). No-op when nothing changed since the last commit.
  Status Commit(StagedFile& file);
  // One handle is done; the last one commits (if needed) and drops the staging file.
  Status CloseWriter(const std::shared_ptr<StagedFile>& file);

  Status Unlink(const std::string& path);
  Status Mkdir(const std::string& dir);  // dir ends with '/'
  Status Rmdir(const std::string& dir);
  // Renames a file; `to` is replaced if it exists.
  Status Rename(const std::string& from, const std::string& to);
  // Renames every file and directory marker under `from_dir` to `to_dir` (not atomic: one file at
  // a time, each file crash-safe).
  Status RenameDir(const std::string& from_dir, const std::string& to_dir);

  Status SetAttrs(const std::string& path, const FileAttrs& attrs);
  std::optional<FileAttrs> Attrs(const std::string& path) const;

  // Makes every pending upload under `prefix` due now and waits until they are all done, or
  // `timeout` passes (DeadlineExceeded, with what is left).
  Status Flush(const std::string& prefix, Nanos timeout);
  // One pass of the durable tier's evictor (what its thread does).
  void EvictOnce();

  WritebackStats Stats() const;
  Uploader& uploader() { return *uploader_; }

 private:
  WriteBack(WritebackConfig config, std::string mount, store::ObjectStore* durable, store::ObjectStore* cloud,
            WritebackEnv env, std::unique_ptr<WritebackJournal> journal);
  Status Replay(const JournalSnapshot& snapshot);
  // After a power loss or crash of the machine: journal entries of files being committed may be
  // lost while their bytes reached the durable tier. Lists the durable tier and queues the upload
  // of every file the journal does not know, or that changed since the newest entry it kept.
  Status Reconcile(const JournalSnapshot& snapshot);
  // A journaled change is now done on the durable tier: hand it to the uploader (or, without a
  // cloud store, mark it complete).
  Status Queued(const UploadEntry& entry);
  // Writes the staged file as of `snap` to the durable tier under `path` (multipart when large),
  // finishing the early upload of its parts where there is one.
  Status PutDurable(const std::string& path, StagedFile& file, const StagedFile::Snapshot& snap);
  // Part size and parts in flight of every transfer to the durable tier.
  store::TransferOptions Transfers() const {
    return {.part_size = config_.uploader.part_size, .streams = config_.uploader.threads};
  }
  // Tells the file's part streamer about a write, creating it once the file passes one part.
  void StreamParts(StagedFile& file, uint64_t offset, uint64_t end);
  // Takes the file's part streamer away (the next write starts a new one).
  static std::shared_ptr<PartStreamer> TakeStreamer(StagedFile& file);
  // Makes room for `bytes` more on the durable tier, evicting uploaded copies; NoSpace if it cannot.
  Status Reserve(uint64_t bytes);
  void Release(uint64_t bytes);
  // Evicts uploaded durable copies until at least `bytes` are freed; returns bytes freed.
  uint64_t EvictBytes(uint64_t bytes);
  bool UnderPressure() const;
  uint64_t UsedBytes() const { return index_.durable_bytes() + staged_bytes_.load(); }
  int64_t DueAt() const;
  std::recursive_mutex& StripeFor(const std::string& path);
  // Copies a cloud-only file into the durable tier (before renaming it).
  Status Promote(const std::string& path);
  void EvictLoop();
  void RegisterMetrics(MetricsRegistry* metrics);

  const WritebackConfig config_;
  const std::string mount_;
  store::ObjectStore* durable_;
  store::ObjectStore* cloud_;
  WritebackEnv env_;
  std::unique_ptr<WritebackJournal> journal_;
  WritebackIndex index_;
  OverlayStore view_;
  std::unique_ptr<Uploader> uploader_;
  // Sends finished parts of files still being written (part_streamer.h); upload_threads workers.
  std::unique_ptr<ThreadPool> part_pool_;
  std::atomic<uint64_t> parts_streamed_{0};
  std::mutex reserve_mu_;  // makes Reserve's check-and-add one step
  std::atomic<uint64_t> staged_bytes_{0};
  std::atomic<uint64_t> evictions_{0};
  std::atomic<uint64_t> next_staging_id_{1};
  MemoryBudget staging_memory_;

  mutable std::mutex writers_mu_;
  std::unordered_map<std::string, std::shared_ptr<StagedFile>> writers_ GUARDED_BY(writers_mu_);
  mutable std::mutex attrs_mu_;
  std::unordered_map<std::string, FileAttrs> attrs_ GUARDED_BY(attrs_mu_);
  // A stripe is held across a durable PUT (milliseconds): with few stripes, unrelated files that
  // hash together wait for each other's uploads (8 writers over 64 stripes: ~1 ms per create).
  std::array<std::recursive_mutex, 4096> stripes_;

  std::mutex evict_mu_;
  std::condition_variable evict_cv_;
  bool stopping_ GUARDED_BY(evict_mu_) = false;
  std::thread evictor_;
  bool started_ = false;
};

}  // namespace ava::fs
