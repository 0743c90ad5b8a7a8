// PageCacheCoherence: what the FUSE layer must remember so that writes which bypass the kernel's
// page cache never leave another handle reading stale pages.
//
// A write-only handle opened while no other handle has the file open uses direct I/O (fuse_ops.h,
// NoteOpenedHandle): its writes go around the page cache. Pages are cached only through handles
// that can read (reads, shared or private mmap), so an inode opened by such a handle since the
// kernel last loaded it may hold pages a direct write makes stale; OpWrite then drops the written
// range from the kernel's cache before it replies. FORGET means the kernel evicted the inode and
// its pages, which clears the mark. A file that is only ever written pays nothing; a file that was
// also read pays one notification per direct write.
//
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_set>

#include "common/thread_annotations.h"

namespace ava::fs {

class PageCacheCoherence {
 public:
  // A handle that can read `ino` was opened.
  void OpenedReadable(uint64_t ino);
  // Handle `fh` bypasses the page cache (until Released).
  void OpenedDirect(uint64_t fh);
  void Released(uint64_t fh);
  // The kernel forgot `ino` (and dropped its pages).
  void Forgotten(uint64_t ino);
  // Whether a write through `fh` to `ino` must drop the written range from the kernel's cache.
  bool MustInvalidateAfterWrite(uint64_t fh, uint64_t ino) const;

 private:
  mutable std::mutex mu_;
  std::unordered_set<uint64_t> readable_inodes_ GUARDED_BY(mu_);
  std::unordered_set<uint64_t> direct_handles_ GUARDED_BY(mu_);
};

}  // namespace ava::fs
