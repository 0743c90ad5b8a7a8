#include "fs/writeback_index.h"

#include <algorithm>

namespace ava::fs {

std::vector<std::string> WritebackIndex::PathsOf(const UploadEntry& e) {
  if (e.op == UploadOp::kRename) return {e.path, e.path2};
  return {e.path};
}

void WritebackIndex::Load(const JournalSnapshot& snapshot) {
  for (const auto& d : snapshot.durable) SetDurable(d.path, d.size, d.last_used_ns);
  for (const auto& w : snapshot.whiteouts) AddWhiteout(w);
  for (const auto& e : snapshot.queue) AddPending(e);
}

void WritebackIndex::SetDurable(const std::string& path, uint64_t size, int64_t last_used_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  Durable& d = durable_[path];
  durable_bytes_ = durable_bytes_ - d.size + size;
  d.size = size;
  d.last_used_ns = last_used_ns;
}

void WritebackIndex::EraseDurable(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = durable_.find(path);
  if (it == durable_.end()) return;
  durable_bytes_ -= it->second.size;
  durable_.erase(it);
}

std::optional<uint64_t> WritebackIndex::DurableSize(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = durable_.find(path);
  if (it == durable_.end()) return std::nullopt;
  return it->second.size;
}

void WritebackIndex::TouchDurable(const std::string& path, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = durable_.find(path);
  if (it != durable_.end()) it->second.last_used_ns = now_ns;
}

uint64_t WritebackIndex::durable_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_bytes_;
}

void WritebackIndex::AddWhiteout(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  whiteouts_.insert(path);
}

void WritebackIndex::RemoveWhiteout(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  whiteouts_.erase(path);
}

bool WritebackIndex::IsWhiteout(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return whiteouts_.count(path) > 0;
}

bool WritebackIndex::AnyWhiteoutUnder(const std::string& prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = whiteouts_.lower_bound(prefix);
  return it != whiteouts_.end() && it->compare(0, prefix.size(), prefix) == 0;
}

void WritebackIndex::AddPending(const UploadEntry& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, added] = pending_.try_emplace(entry.seq, entry);
  if (!added) {
    by_due_.erase({it->second.not_before_ns, entry.seq});
    it->second = entry;
  }
  by_due_.emplace(entry.not_before_ns, entry.seq);
  for (const auto& p : PathsOf(entry)) by_path_[p].insert(entry.seq);
}

void WritebackIndex::UpdatePending(const UploadEntry& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(entry.seq);
  if (it == pending_.end()) return;
  by_due_.erase({it->second.not_before_ns, entry.seq});
  by_due_.emplace(entry.not_before_ns, entry.seq);
  it->second = entry;
}

void WritebackIndex::RemovePending(int64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(seq);
  if (it == pending_.end()) return;
  for (const auto& p : PathsOf(it->second)) {
    auto bp = by_path_.find(p);
    if (bp == by_path_.end()) continue;
    bp->second.erase(seq);
    if (bp->second.empty()) by_path_.erase(bp);
  }
  by_due_.erase({it->second.not_before_ns, seq});
  pending_.erase(it);
}

bool WritebackIndex::HasPending(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_path_.count(path) > 0;
}

std::vector<UploadEntry> WritebackIndex::Runnable(int64_t now_ns, bool ignore_delay,
                                                  const std::set<int64_t>& running, size_t max) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<UploadEntry> out;
  auto consider = [&](const UploadEntry& e) {
    if (running.count(e.seq) > 0) return;
    for (const auto& p : PathsOf(e)) {
      if (*by_path_.at(p).begin() != e.seq) return;  // an earlier change to the path goes first
    }
    out.push_back(e);
  };
  if (ignore_delay) {
    // Failed entries wait for their backoff even under pressure; new ones go at once, in order.
    for (auto it = pending_.begin(); it != pending_.end() && out.size() < max; ++it) {
      if (it->second.not_before_ns <= now_ns || it->second.attempts == 0) consider(it->second);
    }
  } else {
    for (auto it = by_due_.begin(); it != by_due_.end() && it->first <= now_ns && out.size() < max; ++it) {
      consider(pending_.at(it->second));
    }
  }
  return out;
}

size_t WritebackIndex::queue_length() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

std::optional<int64_t> WritebackIndex::oldest_enqueued_ns() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->second.enqueued_ns;
}

uint64_t WritebackIndex::dirty_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t total = 0;
  for (const auto& [path, seqs] : by_path_) {
    auto it = durable_.find(path);
    if (it != durable_.end()) total += it->second.size;
  }
  return total;
}

bool WritebackIndex::PendingUnder(const std::string& prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [path, seqs] : by_path_) {
    if (path.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

}  // namespace ava::fs

namespace ava::fs {

void WritebackIndex::Expedite(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [seq, e] : pending_) {
    if (e.path.compare(0, prefix.size(), prefix) == 0 || e.path2.compare(0, prefix.size(), prefix) == 0) {
      by_due_.erase({e.not_before_ns, seq});
      e.not_before_ns = 0;
      by_due_.emplace(0, seq);
    }
  }
}

size_t WritebackIndex::PendingCountUnder(const std::string& prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [seq, e] : pending_) {
    if (e.path.compare(0, prefix.size(), prefix) == 0 || e.path2.compare(0, prefix.size(), prefix) == 0) ++n;
  }
  return n;
}

}  // namespace ava::fs
