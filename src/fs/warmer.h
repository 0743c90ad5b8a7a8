// Warmer: loads datasets into the cache tiers before training, inside the avafs daemon (so the
// blocks land in its tiers without passing through the kernel's page cache).
//
// Each path is a file or a directory of the tree ("/imagenet/train"); a directory is listed with
// one flat LIST (all pages), which also fills the listing cache for every directory below it —
// that alone is a metadata-only warm-up. Files are then fetched whole, `parallel` at a time,
// skipping blocks already cached, through the same BlockFetcher (and memory budget) as reads.
// Progress is reported to a callback from the calling thread about every `progress_interval`.
//
// Thread safety: Run may be called from several threads at once (separate warm-ups).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "fs/file_system.h"

namespace ava::fs {

struct WarmOptions {
  bool metadata_only = false;
  int parallel = 16;
  Nanos progress_interval = std::chrono::milliseconds(250);
};

struct WarmProgress {
  bool listing_done = false;
  uint64_t files_total = 0;
  uint64_t files_done = 0;
  uint64_t bytes_total = 0;
  uint64_t bytes_done = 0;     // bytes of files finished (cached before or fetched now)
  uint64_t bytes_fetched = 0;  // bytes fetched from the stores by this warm-up
  uint64_t errors = 0;
  std::string first_error;
  Nanos elapsed{0};
};

class Warmer {
 public:
  Warmer(FileSystem* fs, BlockFetcher* fetcher, Clock* clock) : fs_(fs), fetcher_(fetcher), clock_(clock) {}

  // Warms every path; fails early only if a path does not resolve. Per-file fetch errors are
  // counted in the result (and the first one kept) and the warm-up goes on.
  Result<WarmProgress> Run(const std::vector<std::string>& paths, const WarmOptions& options,
                           const std::function<void(const WarmProgress&)>& on_progress,
                           const std::atomic<bool>* cancel = nullptr);

 private:
  FileSystem* fs_;
  BlockFetcher* fetcher_;
  Clock* clock_;
};

}  // namespace ava::fs
