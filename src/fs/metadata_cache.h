// MetadataCache: what avafs has learned about names in the stores, each fact stamped with when it
// was learned and trusted for the mount's MetadataTtl:
//  - directory listings (one LIST with delimiter per directory, all pages), which also answer
//    lookups of every name in the directory without a HEAD — the difference between `ls -R` of
//    100,000 objects taking seconds rather than minutes;
//  - single-object stats from HEAD, including negative results ("no such name"), so repeated
//    probes for missing files (Python's import machinery, loaders trying extensions) stay local.
// Both maps are bounded; the oldest entries go first when full.
//
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "fs/metadata_ttl.h"
#include "store/object_store.h"

namespace ava::fs {

// One directory's contents. Names are relative to the directory; files keep their ObjectInfo.
struct DirListing {
  std::vector<store::ObjectInfo> files;  // key = the file's name in the directory
  std::vector<std::string> dirs;
  // Sorted name → index for lookups: files index >= 0, dirs encoded as -(index + 1).
  std::unordered_map<std::string, int64_t> by_name;
  // Files this mount wrote since the LIST: they are listed, but their size and ETag are not known
  // here, so a lookup of one asks the store and readdir lists the directory again.
  std::unordered_set<std::string> unverified;
  Nanos fetched_at{0};

  void BuildIndex();
};

// What is known about one name: a file, a directory, or nothing.
struct NameStat {
  enum class Kind { kMissing, kFile, kDir } kind = Kind::kMissing;
  store::ObjectInfo info;  // for files
  Nanos fetched_at{0};
  bool uncertain = false;  // "missing" only because a store could not be asked; never cached
};

class MetadataCache {
 public:
  MetadataCache(Clock* clock, MetadataTtl ttl, size_t max_listings = 4096, size_t max_stats = 1 << 20);

  // `dir_id` identifies a directory (mount index + key prefix). Only fresh entries are returned.
  std::shared_ptr<const DirListing> GetListing(const std::string& dir_id);
  // What is learned from a store is stored only if this mount changed nothing in that directory
  // since `seen` (Generation() taken before asking the store): a LIST or HEAD that raced with a
  // local create must not be cached over it.
  void PutListing(const std::string& dir_id, std::shared_ptr<DirListing> listing, uint64_t seen);

  std::optional<NameStat> GetStat(const std::string& name_id);
  void PutStat(const std::string& dir_id, const std::string& name, NameStat stat, uint64_t seen);
  // A stamp of this mount's changes so far (see Put*).
  uint64_t Generation() const;

  void Invalidate(const std::string& id);
  // This mount changed `name` in directory `dir_id`, which is now `now` (a file, a directory, or
  // gone). A fresh cached listing is patched rather than dropped, so a directory being filled is
  // not listed again at every new name; a file's entry is marked unverified. The name's own stat
  // and everything below it are dropped.
  // Adding or updating a file costs O(1) whatever the directory's size (10,000 outputs written
  // into one directory must not copy its listing 10,000 times).
  void NoteChange(const std::string& dir_id, const std::string& name, NameStat::Kind now);
  // Counts a lookup in directory `dir_id` that had to ask the store; returns the count so far.
  // The count is reset when the directory's listing is stored.
  uint64_t CountLookupMiss(const std::string& dir_id);
  // Drops every listing and stat whose id starts with `prefix` (a renamed or removed directory).
  void InvalidatePrefix(const std::string& prefix);
  const MetadataTtl& ttl() const { return ttl_; }
  Clock* clock() const { return clock_; }

  size_t listings() const;
  size_t stats() const;

 private:
  Clock* const clock_;
  const MetadataTtl ttl_;
  const size_t max_listings_;
  const size_t max_stats_;

  mutable std::mutex mu_;
  // Readers get shared_ptr<const DirListing>; a listing no reader holds is patched in place.
  std::unordered_map<std::string, std::shared_ptr<DirListing>> listings_ GUARDED_BY(mu_);
  std::deque<std::string> listing_order_ GUARDED_BY(mu_);  // insertion order, for bounding
  std::unordered_map<std::string, NameStat> stats_ GUARDED_BY(mu_);
  // Directory → Generation() of this mount's last change in it (bounded: when cleared, every
  // directory counts as changed at `changes_floor_`).
  uint64_t generation_ GUARDED_BY(mu_) = 0;
  uint64_t changes_floor_ GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, uint64_t> changed_at_ GUARDED_BY(mu_);
  bool ChangedSince(const std::string& dir_id, uint64_t seen) const REQUIRES(mu_);
  std::unordered_map<std::string, uint64_t> lookup_misses_ GUARDED_BY(mu_);
  std::deque<std::string> stat_order_ GUARDED_BY(mu_);
};

}  // namespace ava::fs
