// InodeTable: the inode numbers avafs has handed to the kernel, and what each stands for.
//
// Rules (libfuse passthrough_ll/hp): every reply that hands out an entry (lookup, readdirplus)
// adds one to the inode's lookup count; FORGET subtracts what the kernel says; an inode whose count
// reaches zero is dropped, except the root and the mount roots, which live as long as the table.
// The same (parent, name) keeps the same inode number while the kernel knows it, so hard-link-free
// paths stay stable.
//
// Thread safety: all methods are safe for concurrent use. The table's mutex is a leaf lock: it is
// never held while calling a store, the cache, or the kernel.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/thread_annotations.h"

namespace ava::fs {

inline constexpr uint64_t kRootIno = 1;

// What an inode stands for. Copied out of the table, so callers never hold a reference into it.
struct InodeInfo {
  uint64_t ino = 0;
  uint64_t parent = 0;
  int mount = -1;   // index in the mount table; -1 for the root of the whole tree
  std::string rel;  // path inside the mount: "" for a mount root, "a/b" for a file, "a/b/" for a dir
                    // (derived from the parent chain, so a rename of a directory moves everything below)
  bool is_dir = false;
  uint64_t size = 0;
  std::string etag;
  int64_t mtime_ns = 0;
  std::string opened_etag;  // ETag when it was last opened (decides FOPEN_KEEP_CACHE)
};

class InodeTable {
 public:
  InodeTable();

  // Finds or creates the inode for `name` in `parent` and adds `lookups` to its count. The
  // attributes of an existing inode are refreshed from `info` (size/etag/mtime); `*etag_changed`
  // (if given) says whether an existing file inode got another ETag.
  InodeInfo Remember(uint64_t parent, const std::string& name, const InodeInfo& info, uint64_t lookups = 1,
                     bool* etag_changed = nullptr);
  // Registers a mount root (permanent) as a child of the root.
  uint64_t AddMountRoot(const std::string& name, int mount);

  std::optional<InodeInfo> Get(uint64_t ino) const;
  // The inode `name` in `parent` has now, or 0; does not count a lookup.
  uint64_t Find(uint64_t parent, const std::string& name) const;
  // Updates size/etag/mtime of a known inode.
  void UpdateAttrs(uint64_t ino, uint64_t size, const std::string& etag, int64_t mtime_ns);
  // Records the ETag seen at open; returns the previous one.
  std::string SetOpenedEtag(uint64_t ino, const std::string& etag);
  // The name `name` in `parent` now refers to `ino` under `new_parent`/`new_name` (rename).
  // An inode that was at the target name loses its name (it lives until forgotten).
  void Rename(uint64_t parent, const std::string& name, uint64_t new_parent, const std::string& new_name);
  // The name no longer refers to its inode (unlink/rmdir); the inode lives until forgotten.
  void Unlink(uint64_t parent, const std::string& name);
  // Subtracts `n` lookups; drops the inode at zero unless it is permanent.
  void Forget(uint64_t ino, uint64_t n);

  size_t size() const;
  uint64_t LookupCount(uint64_t ino) const;

 private:
  struct Node {
    InodeInfo info;
    std::string name;
    uint64_t nlookup = 0;
    bool permanent = false;
  };
  static std::string ChildKey(uint64_t parent, const std::string& name);
  // The path of `ino` inside its mount, from the parent chain.
  std::string RelLocked(uint64_t ino) const REQUIRES(mu_);
  InodeInfo InfoLocked(const struct Node& node) const REQUIRES(mu_);

  mutable std::mutex mu_;
  uint64_t next_ino_ GUARDED_BY(mu_) = kRootIno + 1;
  std::unordered_map<uint64_t, Node> nodes_ GUARDED_BY(mu_);
  std::unordered_map<std::string, uint64_t> by_name_ GUARDED_BY(mu_);  // ChildKey → ino
};

}  // namespace ava::fs
