// FileSystem: avafs's file system, independent of FUSE, so it is tested directly against an
// in-memory store. The FUSE layer (fuse_server.h, fuse_op_*.cc) only translates requests into
// these calls and replies.
//
// The tree: the root holds one directory per mount (the mount table's names); inside a mount,
// objects are files and common prefixes (by '/') are directories. Where a name is both an object
// and a prefix, the object wins. Mounts are read-only (EROFS on any change) unless they have a
// WriteBack (write_back.h); writes then go through it, and reads see them at once.
//
// Metadata: listings and stats are cached for the mount's MetadataTtl (metadata_cache.h); the
// kernel gets the same TTL for its entry/attr caches. Data: reads go through BlockFetcher (cache,
// single-flight ranged GETs, shared memory budget), with per-handle readahead (readahead.h).
// A file is pinned at open to the ETag seen then; FOPEN_KEEP_CACHE is granted only while the ETag
// is unchanged since the previous open, so a changed object is never served from stale pages.
//
// Lookup counts: Lookup and RememberChild (readdirplus) add one to the returned inode's count;
// Forget subtracts. See inode_table.h.
//
// Thread safety: every method is safe for concurrent use from FUSE worker threads.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/tiered_cache.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"
#include "fs/block_fetcher.h"
#include "fs/inode_table.h"
#include "fs/metadata_cache.h"
#include "fs/readahead.h"
#include "fs/staged_file.h"
#include "fs/write_back.h"
#include "store/object_store.h"

namespace ava::fs {

struct FsMount {
  std::string name;                     // directory name under the root
  store::ObjectStore* store = nullptr;  // for a writable mount: writeback->view()
  std::string prefix;                   // key prefix inside the store ("" or ending with '/')
  WriteBack* writeback = nullptr;       // null: read-only
};

struct FsOptions {
  MetadataTtl metadata_ttl;
  uint32_t max_readahead_blocks = 64;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string control_address;  // shown through the user.avafs.control xattr
  // After this many lookups in one directory that needed the store (HEAD), the directory is
  // listed once instead (0: never).
  int list_after_lookups = 4;
};

struct FsEnv {
  Clock* clock = nullptr;
  Logger* logger = nullptr;
  MetricsRegistry* metrics = nullptr;
  BlockFetcher* fetcher = nullptr;
};

struct Attr {
  uint64_t ino = 0;
  bool is_dir = false;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint32_t mode =
      0;  // permission bits; 0 = the default for the mount (0444/0555 read-only, 0644/0755 writable)
};

// What setattr changes (each optional).
struct SetAttrRequest {
  std::optional<uint64_t> size;
  std::optional<uint32_t> mode;
  std::optional<int64_t> mtime_ns;
  std::optional<uint32_t> uid, gid;
  uint64_t fh = 0;  // the open handle it came through (ftruncate), 0 if none
};

// One entry of a directory snapshot taken at opendir.
struct DirEntry {
  std::string name;
  bool is_dir = false;
  store::ObjectInfo info;  // files only
};

// The bytes of one read, as pieces of cached blocks (no copy); keep it alive until replied.
struct ReadResult {
  std::vector<cache::BlockData> blocks;
  std::vector<iovec> iov;
  size_t size = 0;
};

struct OpenResult {
  uint64_t fh = 0;
  bool keep_cache = false;
  bool writer = false;       // opened for writing (flush commits); read-only handles need no flush
  bool only_handle = false;  // no other handle of the inode was open when this one was made
};

// A file of some mount, as listed.
struct FileRef {
  int mount = 0;
  store::ObjectInfo info;  // key = full object key
};

// What a path inside the tree names, for warm-up and the control API.
struct ResolvedPath {
  int mount = -1;   // -1: the root of the tree
  std::string rel;  // path inside the mount; directories end with '/', the mount root is ""
  bool is_dir = true;
  store::ObjectInfo info;  // files only
};

class FileSystem {
 public:
  FileSystem(std::vector<FsMount> mounts, FsOptions options, FsEnv env);
  ~FileSystem();

  Result<Attr> Lookup(uint64_t parent, const std::string& name);
  void Forget(uint64_t ino, uint64_t nlookup);
  Result<Attr> GetAttr(uint64_t ino);

  Result<uint64_t> OpenDir(uint64_t ino);
  // Entries of an open directory from index `offset` on (the snapshot is stable across calls).
  // Returns nullptr for an unknown handle.
  std::shared_ptr<const std::vector<DirEntry>> DirSnapshot(uint64_t dir_fh);
  // Inode for an entry of directory `dir_ino` handed out by readdirplus (adds one lookup).
  Attr RememberChild(uint64_t dir_ino, const DirEntry& entry);
  // An inode number for plain readdir (which hands out no inode): the known inode of the name, or
  // a stable number derived from it (never 0, which readdir(3) would skip as a deleted entry).
  uint64_t ReaddirIno(uint64_t dir_ino, const std::string& name) const;
  void ReleaseDir(uint64_t dir_fh);

  Result<OpenResult> Open(uint64_t ino, int flags);
  Result<ReadResult> Read(uint64_t fh, uint64_t offset, uint64_t size);
  // A read that came without a handle: the kernel opened the file without asking (zero-message
  // open, which the FUSE layer turns on when no mount takes writes). Its read state (pinned
  // version, readahead window) lives per inode until the inode is forgotten; a new ETag seen by a
  // later getattr/lookup starts it afresh.
  Result<ReadResult> ReadInode(uint64_t ino, uint64_t offset, uint64_t size);
  // The last handle of a written file commits it (see WriteBack::CloseWriter).
  Status Release(uint64_t fh);

  // The write path (file_system_write.cc). On read-only mounts every one fails with ReadOnly().
  Result<Attr> Create(uint64_t parent, const std::string& name, uint32_t mode, int flags, OpenResult* opened);
  Result<uint64_t> Write(uint64_t fh, uint64_t offset, std::string_view data);
  // flush (each close of a descriptor) and fsync: the file is on the durable tier when they return.
  Status Flush(uint64_t fh);
  Result<Attr> SetAttr(uint64_t ino, const SetAttrRequest& req);
  Result<Attr> Mkdir(uint64_t parent, const std::string& name, uint32_t mode);
  Status Unlink(uint64_t parent, const std::string& name);
  Status Rmdir(uint64_t parent, const std::string& name);
  // flags: RENAME_NOREPLACE is honoured; RENAME_EXCHANGE is not supported (InvalidArgument).
  Status Rename(uint64_t parent, const std::string& name, uint64_t new_parent, const std::string& new_name,
                unsigned flags);
  bool HasWritableMounts() const;
  // Uploads pending under a tree path ("/outputs/run1") are done now; waits up to `timeout`.
  Status FlushUploads(const std::string& path, Nanos timeout);
  // The "read-only file system" error of mounts without a WriteBack.
  static Status ReadOnly(const std::string& what);

  // Extended attributes: user.avafs.control (control server address), user.avafs.path (path
  // inside the tree), user.avafs.store (store and key), user.avafs.etag (files).
  Result<std::string> GetXattr(uint64_t ino, const std::string& name);
  static std::vector<std::string> XattrNames();

  // "/mount/a/b" → what it names (after the same metadata rules as Lookup).
  Result<ResolvedPath> Resolve(const std::string& path);
  // Every file under a resolved directory (one flat LIST); also fills the listing cache for every
  // directory below it, which is what metadata-only warm-up is.
  Result<std::vector<FileRef>> ListFilesRecursive(const ResolvedPath& dir);
  ObjectVersion VersionOf(int mount, const store::ObjectInfo& info) const;

  const FsOptions& options() const { return options_; }
  // Called when a file the kernel may hold pages of turns out to have a new ETag, before the
  // reply that tells the kernel (the FUSE layer drops those pages). Set once, before serving.
  void set_content_changed_hook(std::function<void(uint64_t ino)> hook) {
    content_changed_ = std::move(hook);
  }
  // The control endpoint shown by user.avafs.control; set once the server listens.
  void set_control_address(std::string address);
  const std::vector<FsMount>& mounts() const { return mounts_; }
  double KernelTimeoutSeconds() const { return options_.metadata_ttl.KernelTimeoutSeconds(); }
  size_t InodeCount() const { return inodes_.size(); }
  uint64_t LookupCount(uint64_t ino) const { return inodes_.LookupCount(ino); }

 private:
  struct OpenFile {
    uint64_t ino = 0;
    ObjectVersion version;
    // Set when the path is being written: readers and writers use the staged bytes.
    std::shared_ptr<StagedFile> staged;
    WriteBack* writeback = nullptr;  // set for handles opened for writing
    bool writer = false;
    // A reader opened on a writable mount while nobody wrote the file: once a writer appears, its
    // staged bytes are read instead of `version` (and kept after it closes: they are the file).
    WriteBack* follow = nullptr;
    std::mutex mu;
    std::shared_ptr<StagedFile> followed GUARDED_BY(mu);
    ReadaheadWindow readahead GUARDED_BY(mu);
    uint64_t prefetched_through GUARDED_BY(mu) = 0;  // highest block index prefetched + 1
    OpenFile(uint64_t block_size, uint32_t max_blocks) : readahead(block_size, max_blocks) {}
  };

  // What `name` in directory `dir_rel` of `mount` is, from the caches or the store.
  Result<NameStat> ResolveName(int mount, const std::string& dir_rel, const std::string& name);
  // The listing of a directory, from the cache or one LIST (all pages).
  Result<std::shared_ptr<const DirListing>> Listing(int mount, const std::string& dir_rel);
  std::string DirId(int mount, const std::string& dir_rel) const;
  std::string FullKey(int mount, const std::string& rel) const { return mounts_[mount].prefix + rel; }
  Attr ToAttr(const InodeInfo& info) const;
  // This mount changed `name` in directory `dir_rel`, which is now `now` (MetadataCache::NoteChange).
  void NoteChange(int mount, const std::string& dir_rel, const std::string& name, NameStat::Kind now);
  // The directory's inode info, or an error for stale/non-directory inodes.
  Result<InodeInfo> DirInode(uint64_t ino) const;
  // Attributes set with chmod/utime for a writable mount's file, on top of the store's.
  void ApplyAttrs(int mount, const std::string& rel, Attr* attr) const;
  std::shared_ptr<OpenFile> FindHandle(uint64_t fh);
  // Reads through `file`'s pinned version, moving its readahead window.
  Result<ReadResult> ReadVersion(OpenFile& file, uint64_t offset, uint64_t size);
  // The staged file a `follow` reader reads now, or null while the file was never written.
  std::shared_ptr<StagedFile> FollowWriter(OpenFile& file);
  // Registers an open file; returns its handle and whether it is the inode's only open handle.
  std::pair<uint64_t, bool> AddHandle(std::shared_ptr<OpenFile> file);
  std::string PathOf(uint64_t ino) const;
  // Remember + the content-changed hook.
  InodeInfo RememberName(uint64_t parent, const std::string& name, const InodeInfo& info);

  std::vector<FsMount> mounts_;
  FsOptions options_;  // control_address is set once before serving, then read-only
  std::function<void(uint64_t)> content_changed_;  // set once before serving
  const FsEnv env_;
  InodeTable inodes_;
  MetadataCache metadata_;
  std::vector<uint64_t> mount_inos_;

  Counter* meta_hits_ = nullptr;
  Counter* meta_misses_ = nullptr;
  Counter* read_bytes_ = nullptr;

  std::mutex handles_mu_;
  uint64_t next_fh_ GUARDED_BY(handles_mu_) = 1;
  std::unordered_map<uint64_t, std::shared_ptr<OpenFile>> files_ GUARDED_BY(handles_mu_);
  std::unordered_map<uint64_t, int> handles_per_inode_ GUARDED_BY(handles_mu_);
  std::unordered_map<uint64_t, std::shared_ptr<const std::vector<DirEntry>>> dirs_ GUARDED_BY(handles_mu_);
  // Read state of files opened without a handle (ReadInode), by inode.
  std::unordered_map<uint64_t, std::shared_ptr<OpenFile>> inode_reads_ GUARDED_BY(handles_mu_);
};

}  // namespace ava::fs
