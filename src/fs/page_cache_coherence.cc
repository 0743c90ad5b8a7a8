#include "fs/page_cache_coherence.h"

namespace ava::fs {

void PageCacheCoherence::OpenedReadable(uint64_t ino) {
  std::lock_guard lock(mu_);
  readable_inodes_.insert(ino);
}

void PageCacheCoherence::OpenedDirect(uint64_t fh) {
  std::lock_guard lock(mu_);
  direct_handles_.insert(fh);
}

void PageCacheCoherence::Released(uint64_t fh) {
  std::lock_guard lock(mu_);
  direct_handles_.erase(fh);
}

void PageCacheCoherence::Forgotten(uint64_t ino) {
  std::lock_guard lock(mu_);
  readable_inodes_.erase(ino);
}

bool PageCacheCoherence::MustInvalidateAfterWrite(uint64_t fh, uint64_t ino) const {
  std::lock_guard lock(mu_);
  return direct_handles_.contains(fh) && readable_inodes_.contains(ino);
}

}  // namespace ava::fs
