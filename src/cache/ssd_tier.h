// SsdTier: the on-disk tier — one checksummed file per block under a directory, an in-memory LRU
// index of them, and a journal that lets the index survive restarts.
//
// Layout of the directory (created 0700; files 0600):
//   LOCK                        flock'ed while a process owns the directory (one owner at a time)
//   index.journal               the persistent index (ssd_index_journal.h)
//   blocks/ab/cd/<fp>.blk       a block file (ssd_block_format.h); <fp> is the 16-hex-digit
//                               BlockFingerprint of the key, ab/cd its first four digits
//   tmp/                        blocks being written; emptied when the tier opens
//
// Writes. Submit() only queues the block (bounded by bytes; a full queue drops the write and
// counts it), so Insert never waits for the disk. A writer thread then: reserves the block's
// charge, evicting least recently used blocks first if the tier would go over capacity (the hard
// limit); appends an insert record to the journal; writes the file to tmp/ and renames it into
// place; and only then makes the block visible in the index. A block still in the queue is served
// from memory.
//
// Usage: charges (header + data rounded up to 4 KiB) of indexed blocks, plus bytes reserved for
// writes and deletions in flight, plus the journal file's size. Space is reserved before any byte
// is written, and released only after a deleted block's file is gone, so the accounted usage is
// never below what the files take and never above capacity. (One exception, documented in
// docs/cache.md: while the journal is compacted, the new file exists beside the old one.)
//
// Reads. Lookup reads the file and verifies header checksum, data checksum and that the identity
// in the header equals the requested key. On any mismatch the file is deleted, corrupt_blocks is
// counted, a warning is logged, and the lookup is a miss. A missing file is a plain miss and drops
// the entry.
//
// Start-up. Open() creates the directories, takes the lock, empties tmp/ and returns: it neither
// scans blocks/ nor reads the journal. A loader thread replays the journal into a private index
// (stopping at a torn tail), and — when the journal does not end with a clean-stop record — checks
// that every listed file exists, dropping those that do not. It then merges the result under the
// blocks the cache saw meanwhile, evicts down to capacity if needed, and writes a compacted
// journal. While it loads: a Lookup of a key not yet indexed probes the block's file directly
// (the header says whether it is the right block), writes wait in the queue, and eviction waits.
//
// Failures. A failed block write or journal append (ENOSPC, EIO, …) disables the tier's writes:
// one warning "SSD tier <dir> is full/failing: …; continuing RAM-only", queued writes dropped,
// stats.enabled = false. Blocks already on disk are still served (each is verified on read).
//
// Thread safety: all methods are safe for concurrent use. Locks: the journal's mutex is acquired
// before mu_ (compaction snapshots the index from inside the journal lock); nothing else nests.
// No disk I/O happens under mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cache/block_key.h"
#include "cache/cache_config.h"
#include "cache/local_disk.h"
#include "cache/lru_index.h"
#include "cache/ssd_index_journal.h"
#include "cache/tier_metrics.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/result.h"
#include "common/thread_annotations.h"

namespace ava::cache {

struct TierStats;

struct SsdTierOptions {
  std::string dir;
  TierConfig tier;
  bool fsync = false;
  int writer_threads = 2;
  uint64_t write_queue_bytes = 64ull << 20;
  uint64_t journal_compact_min_bytes = 4ull << 20;
};

// Collaborators; the pointers are not owned and must outlive the tier.
struct SsdTierDeps {
  LocalDisk* disk = nullptr;                // required
  Clock* clock = nullptr;                   // required
  Logger* logger = nullptr;                 // may be null
  TierMetrics* metrics = nullptr;           // required
  std::function<void()> on_high;            // called (no lock held) when an insert leaves usage above high
  std::function<void()> before_index_load;  // tests only; runs on the loader thread
};

class SsdTier {
 public:
  // Creates the directory layout, locks it and starts loading the index in the background.
  // Fails when the directory cannot be created, locked or read.
  static Result<std::unique_ptr<SsdTier>> Open(const SsdTierOptions& options, const SsdTierDeps& deps);
  ~SsdTier();  // Stop()
  SsdTier(const SsdTier&) = delete;
  SsdTier& operator=(const SsdTier&) = delete;

  // The verified block (now most recently used), or nullopt. Counts a hit or a miss.
  std::optional<BlockData> Lookup(const BlockKey& key);
  // True if the block is indexed or queued (or, while loading, its file holds it). No recency change.
  bool Contains(const BlockKey& key);
  // Queues the block for writing; see above. `data->size()` must equal key.length.
  void Submit(const BlockKey& key, BlockData data);

  // One maintenance pass: the watermark eviction (above capacity*high, evict least recently used
  // blocks until usage <= capacity*low), then journal upkeep (batched recency records, compaction
  // when the journal exceeds twice its live size). Does nothing while the index loads.
  void EvictOnce();

  // Starts the writer threads (once).
  void StartWriters();
  // Waits for the index to load and the write queue to drain (drains it on this thread when no
  // writer threads run).
  void Flush();
  // Finishes queued writes, stops the threads and writes the index snapshot with LRU order and a
  // clean-stop mark. Idempotent. Lookups still work afterwards; writes are refused.
  void Stop();

  uint64_t used_bytes() const;
  uint64_t capacity_bytes() const { return options_.tier.capacity_bytes; }
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void FillStats(TierStats* stats) const;

  // Where a block's file lives in an SSD cache directory, and the journal (for tools and tests).
  static std::string BlockPathIn(const std::string& dir, const BlockKey& key);
  static std::string JournalPathIn(const std::string& dir) { return dir + "/index.journal"; }
  std::string BlockPath(const BlockKey& key) const { return BlockPathIn(options_.dir, key); }
  std::string JournalPath() const { return JournalPathIn(options_.dir); }

 private:
  struct NoValue {};
  using Index = LruIndex<NoValue>;
  struct Pending {
    BlockData data;
    uint64_t charge = 0;     // reserved once a writer took it
    bool reserved = false;   // a writer reserved its space
    bool journaled = false;  // its insert record is in the journal
  };
  struct Victim {
    BlockKey key;
    uint64_t charge = 0;
  };

  SsdTier(const SsdTierOptions& options, const SsdTierDeps& deps);

  void LoadIndex();
  Status ReplayAndVerify(Index* loaded, bool* clean, uint64_t* dropped_missing);
  void WriterLoop();
  void WriteOne(const BlockKey& key);
  // Releases a reservation after a failed write and disables the tier.
  void FailWrite(const BlockKey& key, uint64_t charge, const Status& why);
  void Disable(const Status& why);
  // Drops the index entry for `key` (if present) and deletes its file.
  void DropEntry(const BlockKey& key);
  // Deletes victims' files, journals their erasure and releases their reservations.
  void DeleteVictims(const std::vector<Victim>& victims);
  void FlushTouches(std::vector<BlockKey> touches);
  void MaybeCompact();
  std::string BuildSnapshotLocked() const REQUIRES(mu_);
  // Appends to the journal and accounts its growth; `then_locked` runs under the journal's mutex
  // and mu_, in the same critical section that adds the bytes to journal_bytes_, so reservations
  // move into the journal's size atomically.
  Status AppendJournal(std::string_view records, const std::function<void()>& then_locked);
  // Rewrites the journal from a snapshot of the index; adds the clean-stop mark when `clean`.
  Status WriteSnapshot(bool clean);

  uint64_t UsedLocked() const REQUIRES(mu_);
  // Moves least recently used blocks to `releasing_` until `bytes` are covered (or none are left).
  std::vector<Victim> PickVictimsLocked(uint64_t bytes) REQUIRES(mu_);
  // Moves one indexed block to `releasing_`.
  Victim ReleaseLocked(Index::Entry&& e) REQUIRES(mu_);
  std::string NextTempPath();

  const SsdTierOptions options_;
  LocalDisk* const disk_;
  Clock* const clock_;
  Logger* const logger_;
  TierMetrics* const metrics_;
  const std::function<void()> on_high_;
  const std::function<void()> before_index_load_;

  std::unique_ptr<FileLock> lock_file_;
  // Set by the loader before it clears loading_ (under mu_), never changed afterwards; so any
  // thread that has seen loading_ == false may use it without the lock. Null if loading failed.
  std::unique_ptr<SsdIndexJournal> journal_;
  std::atomic<bool> enabled_{true};
  std::atomic<uint64_t> temp_seq_{0};
  std::atomic<bool> abort_load_{false};  // set by Stop: the loader gives up early

  mutable std::mutex mu_;        // acquired after the journal's mutex
  std::condition_variable cv_;   // queue_, loading_, busy_writers_ changes
  Index index_ GUARDED_BY(mu_);  // blocks whose files are complete
  std::unordered_map<BlockKey, Pending, BlockKeyHash> pending_ GUARDED_BY(mu_);  // queued or being written
  std::deque<BlockKey> queue_ GUARDED_BY(mu_);                                   // pending_ not yet taken
  uint64_t queued_bytes_ GUARDED_BY(mu_) = 0;
  std::unordered_map<BlockKey, uint64_t, BlockKeyHash> releasing_ GUARDED_BY(mu_);  // being deleted → charge
  uint64_t journal_bytes_ GUARDED_BY(mu_) = 0;      // size of the journal file (0 before it is open)
  uint64_t inflight_bytes_ GUARDED_BY(mu_) = 0;     // reserved for writes, deletions and journal records
  uint64_t live_record_bytes_ GUARDED_BY(mu_) = 0;  // insert-record bytes of indexed + reserved blocks
  std::vector<BlockKey> touches_ GUARDED_BY(mu_);   // SSD hits not yet journaled (bounded)
  bool loading_ GUARDED_BY(mu_) = true;
  std::unordered_set<BlockKey, BlockKeyHash> dropped_during_load_ GUARDED_BY(mu_);
  bool writers_running_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool stopped_ GUARDED_BY(mu_) = false;
  int busy_writers_ GUARDED_BY(mu_) = 0;

  std::thread loader_;
  std::vector<std::thread> writers_;
};

}  // namespace ava::cache
