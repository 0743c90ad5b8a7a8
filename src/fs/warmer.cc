#include "fs/warmer.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/thread_pool.h"

namespace ava::fs {

namespace {
constexpr uint64_t kFlushEveryBytes = 64ull << 20;
}  // namespace

Result<WarmProgress> Warmer::Run(const std::vector<std::string>& paths, const WarmOptions& options,
                                 const std::function<void(const WarmProgress&)>& on_progress,
                                 const std::atomic<bool>* cancel) {
  const Nanos start = clock_->Now();
  std::vector<FileRef> items;
  for (const auto& path : paths) {
    AVA_ASSIGN_OR_RETURN(ResolvedPath resolved, fs_->Resolve(path));
    if (!resolved.is_dir) {
      items.push_back(FileRef{resolved.mount, resolved.info});
      continue;
    }
    AVA_ASSIGN_OR_RETURN(std::vector<FileRef> files, fs_->ListFilesRecursive(resolved));
    items.insert(items.end(), std::make_move_iterator(files.begin()), std::make_move_iterator(files.end()));
  }

  std::mutex mu;
  std::condition_variable cv;
  WarmProgress progress;
  progress.listing_done = true;
  progress.files_total = items.size();
  for (const auto& it : items) progress.bytes_total += it.info.size;
  if (options.metadata_only) {
    progress.files_done = progress.files_total;
    progress.elapsed = clock_->Now() - start;
    on_progress(progress);
    return progress;
  }

  size_t finished = 0;
  uint64_t unflushed = 0;  // bytes fetched since the SSD tier was last waited for
  {
    ThreadPool pool(static_cast<size_t>(std::max(1, options.parallel)), "avafs-warm");
    for (const FileRef& item : items) {
      pool.Submit([&, item] {
        uint64_t fetched = 0;
        Status error;
        if (cancel == nullptr || !cancel->load()) {
          Result<uint64_t> r = fetcher_->Warm(fs_->VersionOf(item.mount, item.info));
          if (r.ok())
            fetched = *r;
          else
            error = r.status();
        } else {
          error = Status::Cancelled("warm-up cancelled");
        }
        bool flush = false;
        {
          std::lock_guard<std::mutex> lock(mu);
          unflushed += fetched;
          if (unflushed >= kFlushEveryBytes) {
            unflushed = 0;
            flush = true;
          }
        }
        // Many small files warmed in parallel must not outrun the SSD writers either.
        if (flush) fetcher_->WaitForCacheWrites();
        std::lock_guard<std::mutex> lock(mu);
        ++finished;
        progress.files_done++;
        progress.bytes_done += item.info.size;
        progress.bytes_fetched += fetched;
        if (!error.ok()) {
          progress.errors++;
          if (progress.first_error.empty()) progress.first_error = item.info.key + ": " + error.ToString();
        }
        cv.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    while (finished < items.size()) {
      cv.wait_for(lock, std::chrono::nanoseconds(options.progress_interval));
      progress.elapsed = clock_->Now() - start;
      WarmProgress snapshot = progress;
      lock.unlock();
      on_progress(snapshot);
      lock.lock();
    }
  }
  progress.elapsed = clock_->Now() - start;
  on_progress(progress);
  return progress;
}

}  // namespace ava::fs
