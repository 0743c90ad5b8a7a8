#include "fs/metadata_cache.h"

#include <algorithm>

namespace ava::fs {

void DirListing::BuildIndex() {
  by_name.clear();
  by_name.reserve(files.size() + dirs.size());
  for (size_t i = 0; i < dirs.size(); ++i) by_name.emplace(dirs[i], -static_cast<int64_t>(i) - 1);
  // Where a name is both an object and a prefix, the object wins (docs/avafs.md, "Names").
  for (size_t i = 0; i < files.size(); ++i) by_name[files[i].key] = static_cast<int64_t>(i);
}

MetadataCache::MetadataCache(Clock* clock, MetadataTtl ttl, size_t max_listings, size_t max_stats)
    : clock_(clock), ttl_(ttl), max_listings_(max_listings), max_stats_(max_stats) {}

std::shared_ptr<const DirListing> MetadataCache::GetListing(const std::string& dir_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = listings_.find(dir_id);
  if (it == listings_.end() || !ttl_.Fresh(it->second->fetched_at, clock_->Now())) return nullptr;
  return it->second;
}

uint64_t MetadataCache::CountLookupMiss(const std::string& dir_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (lookup_misses_.size() > max_listings_) lookup_misses_.clear();  // bounded; only a heuristic
  return ++lookup_misses_[dir_id];
}

uint64_t MetadataCache::Generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

bool MetadataCache::ChangedSince(const std::string& dir_id, uint64_t seen) const {
  auto it = changed_at_.find(dir_id);
  return (it != changed_at_.end() ? it->second : changes_floor_) > seen;
}

void MetadataCache::PutListing(const std::string& dir_id, std::shared_ptr<DirListing> listing,
                               uint64_t seen) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ChangedSince(dir_id, seen)) return;
  lookup_misses_.erase(dir_id);
  auto [it, inserted] = listings_.insert_or_assign(dir_id, std::move(listing));
  if (inserted) listing_order_.push_back(dir_id);
  while (listings_.size() > max_listings_ && !listing_order_.empty()) {
    listings_.erase(listing_order_.front());
    listing_order_.pop_front();
  }
}

std::optional<NameStat> MetadataCache::GetStat(const std::string& name_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stats_.find(name_id);
  if (it == stats_.end() || !ttl_.Fresh(it->second.fetched_at, clock_->Now())) return std::nullopt;
  return it->second;
}

void MetadataCache::PutStat(const std::string& dir_id, const std::string& name, NameStat stat,
                            uint64_t seen) {
  const std::string name_id = dir_id + name;
  std::lock_guard<std::mutex> lock(mu_);
  if (ChangedSince(dir_id, seen)) return;
  auto [it, inserted] = stats_.insert_or_assign(name_id, std::move(stat));
  if (inserted) stat_order_.push_back(name_id);
  while (stats_.size() > max_stats_ && !stat_order_.empty()) {
    stats_.erase(stat_order_.front());
    stat_order_.pop_front();
  }
}

void MetadataCache::Invalidate(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  listings_.erase(id);
  stats_.erase(id);
}

void MetadataCache::NoteChange(const std::string& dir_id, const std::string& name, NameStat::Kind now) {
  const std::string name_id = dir_id + name;
  std::lock_guard<std::mutex> lock(mu_);
  if (changed_at_.size() >= max_listings_) {
    changes_floor_ = generation_;
    changed_at_.clear();
  }
  changed_at_[dir_id] = ++generation_;
  stats_.erase(name_id);
  if (now != NameStat::Kind::kFile) {
    // A directory removed, renamed or made: nothing cached below the name holds. (A name that is
    // a file now never had anything below it: writing over a directory fails with EISDIR.)
    const std::string below = name_id + "/";
    std::erase_if(listings_, [&](const auto& kv) { return kv.first.compare(0, below.size(), below) == 0; });
    std::erase_if(stats_, [&](const auto& kv) { return kv.first.compare(0, below.size(), below) == 0; });
  }
  auto it = listings_.find(dir_id);
  if (it == listings_.end() || !ttl_.Fresh(it->second->fetched_at, clock_->Now())) return;
  const DirListing& current = *it->second;
  auto found = current.by_name.find(name);
  const bool as_file = found != current.by_name.end() && found->second >= 0;
  const bool as_dir = found != current.by_name.end() && found->second < 0;
  if ((now == NameStat::Kind::kFile && as_file && current.unverified.contains(name)) ||
      (now == NameStat::Kind::kDir && as_dir) || (now == NameStat::Kind::kMissing && !as_file && !as_dir)) {
    return;  // already says so (a file's flush and release after its create)
  }
  // Readers take their reference under mu_, so a listing only the cache holds is nobody else's
  // and is patched in place; one a reader holds is copied first (once).
  if (it->second.use_count() > 1) it->second = std::make_shared<DirListing>(current);
  DirListing& l = *it->second;
  if (now == NameStat::Kind::kFile && !as_dir) {
    // A new file, or a listed one rewritten: O(1).
    if (!as_file) {
      store::ObjectInfo f;
      f.key = name;
      l.by_name.emplace(name, static_cast<int64_t>(l.files.size()));
      l.files.push_back(std::move(f));
    }
    l.unverified.insert(name);
    return;
  }
  if (now == NameStat::Kind::kMissing && as_file &&
      std::find(l.dirs.begin(), l.dirs.end(), name) == l.dirs.end()) {
    // A file removed: swapped with the last one, O(1) (readdir promises no order).
    const auto i = static_cast<size_t>(l.by_name.at(name));
    if (i + 1 != l.files.size()) {
      l.files[i] = std::move(l.files.back());
      l.by_name[l.files[i].key] = static_cast<int64_t>(i);
    }
    l.files.pop_back();
    l.by_name.erase(name);
    l.unverified.erase(name);
    return;
  }
  // Directories made or removed, and names that are both a file and a directory: rare, so the
  // index is rebuilt.
  std::erase_if(l.files, [&](const store::ObjectInfo& f) { return f.key == name; });
  std::erase(l.dirs, name);
  l.unverified.erase(name);
  if (now == NameStat::Kind::kFile) {
    store::ObjectInfo f;
    f.key = name;
    l.files.push_back(std::move(f));
    l.unverified.insert(name);
  } else if (now == NameStat::Kind::kDir) {
    l.dirs.push_back(name);
  }
  l.BuildIndex();
}

void MetadataCache::InvalidatePrefix(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(listings_, [&](const auto& kv) { return kv.first.compare(0, prefix.size(), prefix) == 0; });
  std::erase_if(stats_, [&](const auto& kv) { return kv.first.compare(0, prefix.size(), prefix) == 0; });
}

size_t MetadataCache::listings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return listings_.size();
}

size_t MetadataCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.size();
}

}  // namespace ava::fs
