// WritebackIndex: the in-memory mirror of a writable mount's WritebackJournal — what the durable
// tier holds, which cloud names are hidden (whiteouts), and which uploads are pending, by path —
// so the read path and the uploader ask memory, not SQLite. The journal is the truth after a
// crash; this index is rebuilt from it at start.
//
// Thread safety: all methods are safe for concurrent use; the mutex is a leaf lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/thread_annotations.h"
#include "fs/writeback_journal.h"

namespace ava::fs {

class WritebackIndex {
 public:
  void Load(const JournalSnapshot& snapshot);

  // The durable tier's inventory (files and directory markers, keys relative to the mount).
  void SetDurable(const std::string& path, uint64_t size, int64_t last_used_ns);
  void EraseDurable(const std::string& path);
  std::optional<uint64_t> DurableSize(const std::string& path) const;
  void TouchDurable(const std::string& path, int64_t now_ns);
  uint64_t durable_bytes() const;
  // Files the durable tier holds whose uploads are done, least recently used first, until their
  // sizes add up to `bytes`. `exclude(path)` skips paths in use (open for writing).
  template <typename Exclude>
  std::vector<std::pair<std::string, uint64_t>> EvictionCandidates(uint64_t bytes, Exclude exclude) const;

  void AddWhiteout(const std::string& path);
  void RemoveWhiteout(const std::string& path);
  bool IsWhiteout(const std::string& path) const;
  bool AnyWhiteoutUnder(const std::string& prefix) const;

  void AddPending(const UploadEntry& entry);
  void UpdatePending(const UploadEntry& entry);
  void RemovePending(int64_t seq);
  bool HasPending(const std::string& path) const;
  // Entries that may run now: due (or `ignore_delay`), first in line for every path they touch,
  // and not in `running`.
  std::vector<UploadEntry> Runnable(int64_t now_ns, bool ignore_delay, const std::set<int64_t>& running,
                                    size_t max) const;
  size_t queue_length() const;
  std::optional<int64_t> oldest_enqueued_ns() const;
  // Bytes in the durable tier not yet uploaded (files with a pending PUT or RENAME).
  uint64_t dirty_bytes() const;
  // Makes pending entries under `prefix` due now (their backoff too).
  void Expedite(const std::string& prefix);
  size_t PendingCountUnder(const std::string& prefix) const;
  // True when an entry touching a path under `prefix` is pending.
  bool PendingUnder(const std::string& prefix) const;

 private:
  static std::vector<std::string> PathsOf(const UploadEntry& e);

  struct Durable {
    uint64_t size = 0;
    int64_t last_used_ns = 0;
  };

  mutable std::mutex mu_;
  std::unordered_map<std::string, Durable> durable_ GUARDED_BY(mu_);
  uint64_t durable_bytes_ GUARDED_BY(mu_) = 0;
  std::set<std::string> whiteouts_ GUARDED_BY(mu_);
  std::map<int64_t, UploadEntry> pending_ GUARDED_BY(mu_);  // by seq
  // (not_before_ns, seq) of every pending entry: the uploader looks only at the due ones, so a
  // long delayed queue (thousands of closes under upload_delay) costs nothing per wake.
  std::set<std::pair<int64_t, int64_t>> by_due_ GUARDED_BY(mu_);
  std::unordered_map<std::string, std::set<int64_t>> by_path_ GUARDED_BY(mu_);  // path → pending seqs
};

template <typename Exclude>
std::vector<std::pair<std::string, uint64_t>> WritebackIndex::EvictionCandidates(uint64_t bytes,
                                                                                 Exclude exclude) const {
  std::vector<std::pair<int64_t, std::pair<std::string, uint64_t>>> clean;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [path, d] : durable_) {
      if (path.ends_with('/') || by_path_.count(path) > 0) continue;
      clean.push_back({d.last_used_ns, {path, d.size}});
    }
  }
  std::sort(clean.begin(), clean.end());
  std::vector<std::pair<std::string, uint64_t>> out;
  uint64_t total = 0;
  for (auto& [t, file] : clean) {
    if (total >= bytes) break;
    if (exclude(file.first)) continue;
    total += file.second;
    out.push_back(std::move(file));
  }
  return out;
}

}  // namespace ava::fs
