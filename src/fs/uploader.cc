#include "fs/uploader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "store/transfer.h"

namespace ava::fs {

Uploader::Uploader(UploaderConfig config, std::string mount, store::ObjectStore* durable,
                   store::ObjectStore* cloud, WritebackJournal* journal, WritebackIndex* index, Clock* clock,
                   Logger* logger, MetricsRegistry* metrics, std::function<bool()> under_pressure)
    : config_(config),
      mount_(std::move(mount)),
      durable_(durable),
      cloud_(cloud),
      journal_(journal),
      index_(index),
      clock_(clock),
      logger_(logger),
      under_pressure_(std::move(under_pressure)) {
  if (metrics != nullptr) {
    Labels l{{"mount", mount_}};
    uploaded_counter_ = &metrics->GetCounter("avafs_writeback_uploaded_bytes_total",
                                             "Bytes uploaded from the durable tier to the cloud store", l);
    error_counter_ =
        &metrics->GetCounter("avafs_writeback_upload_errors_total", "Upload attempts that failed", l);
    done_counter_ =
        &metrics->GetCounter("avafs_writeback_uploads_total", "Queue entries that reached the cloud", l);
  }
}

Uploader::~Uploader() { Stop(); }

void Uploader::Start() {
  workers_ = std::make_unique<ThreadPool>(static_cast<size_t>(std::max(1, config_.threads)), "avafs-upload");
  dispatcher_ = std::thread([this] { DispatchLoop(); });
}

void Uploader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  if (workers_) workers_->Shutdown();
}

void Uploader::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Uploader::DispatchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    size_t capacity =
        static_cast<size_t>(config_.threads) - std::min(running_.size(), size_t(config_.threads));
    std::vector<UploadEntry> ready;
    if (capacity > 0) {
      std::set<int64_t> running = running_;
      lock.unlock();
      ready = index_->Runnable(clock_->WallNow().count(), under_pressure_(), running, capacity);
      lock.lock();
    }
    for (const auto& e : ready) {
      running_.insert(e.seq);
      workers_->Submit([this, e] {
        Status s = Process(e);
        (void)s;
        {
          std::lock_guard<std::mutex> l(mu_);
          running_.erase(e.seq);
          woken_ = true;
        }
        cv_.notify_all();
      });
    }
    // Sleep until woken (new entry, a finished upload) or the next check (delays, backoff).
    cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

size_t Uploader::RunUntilIdle(bool ignore_delay) {
  size_t ran = 0;
  for (;;) {
    std::vector<UploadEntry> ready = index_->Runnable(clock_->WallNow().count(), ignore_delay, {}, 1);
    if (ready.empty()) return ran;
    Process(ready.front()).IgnoreError();  // failures are recorded with a backoff
    ++ran;
  }
}

Status Uploader::CopyToCloud(const std::string& path) {
  Result<store::ObjectInfo> info = durable_->Head(path);
  if (!info.ok()) {
    // Gone from the durable tier: deleted or renamed since; a later entry says what to do.
    if (info.status().IsNotFound()) return Status::OK();
    return info.status();
  }
  info->key = path;
  store::TransferOptions options{.part_size = config_.part_size, .streams = config_.threads};
  Result<uint64_t> sent = store::CopyAcross(*durable_, *cloud_, *info, path, options);
  if (!sent.ok()) {
    // Changed or gone while uploading: the entry queued by that change uploads it.
    Result<store::ObjectInfo> now = durable_->Head(path);
    if (now.ok() ? now->etag != info->etag : now.status().IsNotFound()) return Status::OK();
    return sent.status();
  }
  uploaded_bytes_ += *sent;
  if (uploaded_counter_) uploaded_counter_->Inc(*sent);
  return Status::OK();
}

Status Uploader::Process(const UploadEntry& e) {
  Status s;
  switch (e.op) {
    case UploadOp::kPut:
      s = CopyToCloud(e.path);
      break;
    case UploadOp::kDelete:
    case UploadOp::kRmdir:
      s = cloud_->Delete(e.path);
      break;
    case UploadOp::kRename:
      s = CopyToCloud(e.path2);
      if (s.ok()) s = cloud_->Delete(e.path);
      break;
    case UploadOp::kMkdir:
      s = cloud_->Put(e.path, "").status();
      break;
  }
  Finish(e, s);
  return s;
}

void Uploader::Finish(const UploadEntry& e, const Status& result) {
  if (result.ok()) {
    Status done = journal_->Complete(e);
    if (!done.ok()) {
      // The upload happened but could not be recorded: it will run again (idempotent).
      AVA_LOG(logger_, kError, "upload", "{}: {} {} uploaded but not recorded: {}", mount_,
              UploadOpName(e.op), e.path, done.ToString());
      return;
    }
    index_->RemovePending(e.seq);
    if (e.op == UploadOp::kDelete || e.op == UploadOp::kRmdir || e.op == UploadOp::kRename) {
      index_->RemoveWhiteout(e.path);
    }
    if (done_counter_) done_counter_->Inc();
    return;
  }
  errors_++;
  if (error_counter_) error_counter_->Inc();
  UploadEntry failed = e;
  failed.attempts = e.attempts + 1;
  // Exponential backoff with full jitter, capped; retried forever (nothing is ever dropped).
  double cap = std::min<double>(
      static_cast<double>(config_.max_backoff.count()),
      static_cast<double>(config_.base_backoff.count()) * std::pow(2.0, std::min(failed.attempts, 30)));
  thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t delay = static_cast<int64_t>(std::uniform_real_distribution<double>(cap / 2, cap)(rng));
  failed.not_before_ns = clock_->WallNow().count() + delay;
  failed.last_error = result.ToString();
  journal_->RecordFailure(failed.seq, failed.attempts, failed.not_before_ns, failed.last_error).IgnoreError();
  index_->UpdatePending(failed);
  if (failed.attempts <= 3 || failed.attempts % 20 == 0) {
    AVA_LOG(logger_, kWarn, "upload", "{}: {} {} failed (attempt {}, next in {} ms): {}", mount_,
            UploadOpName(e.op), e.path, failed.attempts, delay / 1000000, result.ToString());
  }
}

}  // namespace ava::fs
