// WritebackJournal: everything a writable mount must not forget across a crash, in one SQLite
// database (WAL) under the mount's state directory:
//   - the upload queue: what still has to reach the cloud store, in order (PUT, DELETE, RENAME,
//     MKDIR, RMDIR), with attempts and the time of the next try;
//   - whiteouts: names deleted (or renamed away) here whose deletion has not reached the cloud
//     yet, so the cloud's copy stays hidden;
//   - the durable tier's inventory (path, size, last use), for its capacity and eviction;
//   - attributes set with chmod/utime, which object stores cannot keep.
// Each mutation is one transaction, synced before it returns: once a call returns, neither a
// kill -9 nor a power loss can lose what it recorded. Commits are grouped: SQLite commits into
// the WAL without syncing (synchronous=NORMAL), and the journal itself fdatasyncs the WAL before
// the call returns; one sync covers every transaction committed before it started, so eight
// files closed at once cost one disk flush, not eight (group commit, as in LevelDB's log writer).
// BeginPut alone returns once committed, before the sync (see there): a kill -9 cannot lose it
// (the WAL write is in the kernel's hands), a power loss can, and the next Open says so
// (unclean_reboot).
//
// Thread safety: all methods are safe for concurrent use (one connection behind a mutex). Lock
// order: mu_ (held while SQLite runs) is never held while taking sync_mu_.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/file_util.h"
#include "common/result.h"
#include "common/thread_annotations.h"

namespace ava::fs {

enum class UploadOp { kPut = 1, kDelete = 2, kRename = 3, kMkdir = 4, kRmdir = 5 };
std::string_view UploadOpName(UploadOp op);

struct UploadEntry {
  int64_t seq = 0;
  UploadOp op = UploadOp::kPut;
  std::string path;         // key relative to the mount; directories end with '/'
  std::string path2;        // RENAME: the new name
  int64_t enqueued_ns = 0;  // wall time
  int attempts = 0;
  int64_t not_before_ns = 0;  // wall time of the next attempt
  std::string last_error;
};

struct DurableFile {
  std::string path;
  uint64_t size = 0;
  int64_t last_used_ns = 0;
};

struct FileAttrs {
  uint32_t mode = 0644;
  int64_t mtime_ns = 0;
};

struct JournalSnapshot {
  std::vector<UploadEntry> queue;  // by seq
  std::vector<std::string> whiteouts;
  std::vector<DurableFile> durable;
  std::vector<std::pair<std::string, FileAttrs>> attrs;
};

class WritebackJournal {
 public:
  // `boot_id` names this boot of the machine (/proc/sys/kernel/random/boot_id): a journal last
  // opened under another boot and never closed was open when the machine went down.
  static Result<std::unique_ptr<WritebackJournal>> Open(const std::string& path, Clock* clock,
                                                        const std::string& boot_id);
  ~WritebackJournal();
  WritebackJournal(const WritebackJournal&) = delete;
  WritebackJournal& operator=(const WritebackJournal&) = delete;

  JournalSnapshot Load();

  // True when the last process to use this journal was running when the machine lost power or
  // crashed: BeginPut entries it had not synced yet may be gone, while the files they were for
  // may be on the durable tier (WriteBack reconciles the two at start).
  bool unclean_reboot() const { return unclean_reboot_; }
  // The caller has reconciled: later opens need not (until the next unclean reboot).
  Status UncleanRebootHandled();

  // A file is about to be written to the durable tier: queue its upload and count it there.
  // Returns once the entry is committed, not synced, with the commit's ticket: the caller writes
  // the durable tier and then calls WaitSynced(ticket), whose one sync then covers every entry
  // committed meanwhile (eight writers: about one sync in five closes instead of one per close).
  struct BegunPut {
    UploadEntry entry;
    uint64_t ticket = 0;
  };
  Result<BegunPut> BeginPut(const std::string& path, uint64_t size, int64_t not_before_ns);
  // Returns once the transaction with commit number `ticket` (and every earlier one) is on disk.
  Status WaitSynced(uint64_t ticket) { return SyncThrough(ticket); }
  // The durable write failed: forget the queued upload; `durable_size` is what the durable tier
  // holds now under the path (nullopt: nothing).
  Status AbortPut(int64_t seq, const std::string& path, std::optional<uint64_t> durable_size);
  // A file or directory marker (path ending in '/') was removed from the durable tier.
  Result<UploadEntry> RecordDelete(const std::string& path, int64_t not_before_ns);
  // `from` was renamed to `to` in the durable tier (`size` bytes).
  Result<UploadEntry> RecordRename(const std::string& from, const std::string& to, uint64_t size,
                                   int64_t not_before_ns);
  Result<UploadEntry> RecordMkdir(const std::string& dir, int64_t not_before_ns);
  // The entry reached the cloud: drop it (and the whiteout it was holding, for deletions).
  Status Complete(const UploadEntry& entry);
  Status RecordFailure(int64_t seq, int attempts, int64_t not_before_ns, const std::string& error);
  // Makes matching entries due now (avafs flush). Empty prefix: all.
  Status ExpediteAll(const std::string& prefix);
  Status SetDurableSize(const std::string& path, std::optional<uint64_t> size);
  Status SetAttrs(const std::string& path, const FileAttrs& attrs);
  Status DropAttrs(const std::string& path);

  // Transactions committed, and WAL syncs done, since Open (group commit makes the second smaller).
  uint64_t commits() const { return committed_.load(); }
  uint64_t syncs() const { return syncs_.load(); }

 private:
  explicit WritebackJournal(sqlite3* db, Clock* clock) : db_(db), clock_(clock) {}
  // Returns once every transaction up to commit number `ticket` is on disk.
  Status SyncThrough(uint64_t ticket);
  Status Exec(const char* sql) REQUIRES(mu_);
  // One use of a prepared statement, kept for the connection's life: each close() runs the same
  // few statements, and parsing them again cost as much as running them. `sql` is a literal
  // (the cache is keyed by its address); a statement is never in use twice at once.
  class Stmt;
  Stmt Sql(const char* sql) REQUIRES(mu_);
  // Appends `e` to the queue table and sets its seq; inside a transaction.
  Status InsertQueued(UploadEntry* e) REQUIRES(mu_);
  Status Migrate();
  // Runs `body` in a transaction committed with a sync; rolled back when it fails.
  template <typename F>
  Status InTransaction(F&& body);
  // Runs `body` in a committed transaction, not yet synced; returns its ticket.
  template <typename F>
  Result<uint64_t> CommitUnsynced(F&& body);
  // Records this process's boot and marks the journal open (closed again by the destructor).
  Status MarkOpen(const std::string& boot_id);
  // One row of the meta table; inside a transaction.
  Status SetMeta(const char* key, const std::string& value) REQUIRES(mu_);

  bool unclean_reboot_ = false;
  std::mutex mu_;
  sqlite3* db_ GUARDED_BY(mu_);
  std::unordered_map<const char*, sqlite3_stmt*> statements_ GUARDED_BY(mu_);
  Clock* clock_;
  UniqueFd wal_;                        // the WAL file, for the syncs
  std::atomic<uint64_t> committed_{0};  // transactions committed (into the WAL)
  std::atomic<uint64_t> syncs_{0};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  uint64_t synced_ GUARDED_BY(sync_mu_) = 0;  // transactions known to be on disk
  bool syncing_ GUARDED_BY(sync_mu_) = false;
};

}  // namespace ava::fs
