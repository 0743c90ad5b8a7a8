#include "fs/write_back.h"

#include <dirent.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "common/file_util.h"
#include "common/units.h"
#include "fs/part_streamer.h"
#include "store/transfer.h"

namespace ava::fs {

Status WritebackConfig::Validate() const {
  if (state_dir.empty()) return Status::InvalidArgument("writable mounts need a state_dir (local disk)");
  if (durable_low_watermark < 0 || durable_low_watermark > durable_high_watermark ||
      durable_high_watermark > 1) {
    return Status::InvalidArgument("durable watermarks must satisfy 0 <= low <= high <= 1");
  }
  if (uploader.part_size < (5ull << 20))
    return Status::InvalidArgument("upload part size must be at least 5MiB");
  if (uploader.threads < 1 || uploader.threads > 256) {
    return Status::InvalidArgument("upload_threads must be between 1 and 256");
  }
  return Status::OK();
}

WriteBack::WriteBack(WritebackConfig config, std::string mount, store::ObjectStore* durable,
                     store::ObjectStore* cloud, WritebackEnv env, std::unique_ptr<WritebackJournal> journal)
    : config_(std::move(config)),
      mount_(std::move(mount)),
      durable_(durable),
      cloud_(cloud),
      env_(std::move(env)),
      journal_(std::move(journal)),
      view_(durable, cloud, &index_),
      part_pool_(std::make_unique<ThreadPool>(static_cast<size_t>(config_.uploader.threads), "avafs-parts")),
      staging_memory_(config_.staging_memory) {
  if (cloud_ != nullptr) {
    uploader_ =
        std::make_unique<Uploader>(config_.uploader, mount_, durable_, cloud_, journal_.get(), &index_,
                                   env_.clock, env_.logger, env_.metrics, [this] { return UnderPressure(); });
  }
  RegisterMetrics(env_.metrics);
}

WriteBack::~WriteBack() {
  Stop();
  if (env_.metrics != nullptr) env_.metrics->RemoveCallbacks(this);
}

void WriteBack::RegisterMetrics(MetricsRegistry* m) {
  if (m == nullptr) return;
  Labels l{{"mount", mount_}};
  m->AddCallbackGauge(
      "avafs_writeback_queue_length", "Changes waiting to reach the cloud store", l,
      [this] { return static_cast<double>(index_.queue_length()); }, this);
  m->AddCallbackGauge(
      "avafs_writeback_dirty_bytes", "Bytes on the durable tier not yet in the cloud store", l,
      [this] { return static_cast<double>(index_.dirty_bytes()); }, this);
  m->AddCallbackGauge(
      "avafs_writeback_staged_bytes", "Bytes reserved by files open for writing", l,
      [this] { return static_cast<double>(staged_bytes_.load()); }, this);
  m->AddCallbackGauge(
      "avafs_writeback_oldest_pending_seconds", "Age of the oldest change not yet uploaded", l,
      [this] { return Stats().oldest_pending_seconds; }, this);
  m->AddCallbackGauge(
      "avafs_writeback_staging_memory_bytes", "RAM held by small files open for writing", l,
      [this] { return static_cast<double>(staging_memory_.used()); }, this);
  m->AddCallbackGauge(
      "avafs_durable_used_bytes", "Bytes used on the durable tier (with reservations)", l,
      [this] { return static_cast<double>(UsedBytes()); }, this);
  m->AddCallbackGauge(
      "avafs_durable_capacity_bytes", "Capacity of the durable tier (0: unlimited)", l,
      [this] { return static_cast<double>(config_.durable_capacity); }, this);
  m->AddCallbackGauge(
      "avafs_durable_evictions", "Uploaded files removed from the durable tier", l,
      [this] { return static_cast<double>(evictions_.load()); }, this);
  m->AddCallbackGauge(
      "avafs_durable_parts_streamed",
      "Parts sent to the durable tier while their file was still being written", l,
      [this] { return static_cast<double>(parts_streamed_.load()); }, this);
}

Result<std::unique_ptr<WriteBack>> WriteBack::Open(WritebackConfig config, std::string mount,
                                                   store::ObjectStore* durable, store::ObjectStore* cloud,
                                                   WritebackEnv env) {
  AVA_RETURN_IF_ERROR(config.Validate());
  AVA_RETURN_IF_ERROR(MakeDirs(config.state_dir + "/staging", 0700));
  if (env.boot_id.empty()) {
    // Unreadable (not Linux): empty, which the journal treats as a new boot after every crash.
    env.boot_id = ReadFile("/proc/sys/kernel/random/boot_id").value_or("");
  }
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<WritebackJournal> journal,
                       WritebackJournal::Open(config.state_dir + "/journal.db", env.clock, env.boot_id));
  std::unique_ptr<WriteBack> wb(
      new WriteBack(std::move(config), std::move(mount), durable, cloud, env, std::move(journal)));
  JournalSnapshot snapshot = wb->journal_->Load();
  wb->index_.Load(snapshot);
  for (auto& [path, attrs] : snapshot.attrs) wb->attrs_[path] = attrs;
  AVA_RETURN_IF_ERROR(wb->Replay(snapshot));
  if (wb->journal_->unclean_reboot()) AVA_RETURN_IF_ERROR(wb->Reconcile(snapshot));
  // Files open for writing when the last daemon died were never committed: close() had not
  // returned, so no promise covers them. Their staging copies are removed.
  std::string staging = wb->config_.state_dir + "/staging";
  if (DIR* d = ::opendir(staging.c_str())) {
    int dropped = 0;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      ::unlink((staging + "/" + e->d_name).c_str());
      ++dropped;
    }
    ::closedir(d);
    if (dropped > 0) {
      AVA_LOG(env.logger, kWarn, "writeback", "{}: removed {} staging file(s) of writes never committed",
              wb->mount_, dropped);
    }
  }
  if (!snapshot.queue.empty()) {
    AVA_LOG(env.logger, kInfo, "writeback", "{}: resuming {} pending change(s) from the journal", wb->mount_,
            snapshot.queue.size());
  }
  return wb;
}

Status WriteBack::Replay(const JournalSnapshot& snapshot) {
  // The journal records each change before the durable tier is touched; finish what a crash
  // interrupted. Every step is idempotent.
  for (const UploadEntry& e : snapshot.queue) {
    switch (e.op) {
      case UploadOp::kPut: {
        Result<store::ObjectInfo> info = durable_->Head(e.path);
        std::optional<uint64_t> size;
        if (info.ok())
          size = info->size;
        else if (!info.status().IsNotFound())
          return info.status().Annotate("replaying the write-back journal");
        AVA_RETURN_IF_ERROR(journal_->SetDurableSize(e.path, size));
        if (size)
          index_.SetDurable(e.path, *size, e.enqueued_ns);
        else
          index_.EraseDurable(e.path);
        break;
      }
      case UploadOp::kDelete:
      case UploadOp::kRmdir: {
        Status s = durable_->Delete(e.path);
        if (!s.ok() && !s.IsNotFound()) return s.Annotate("replaying the write-back journal");
        break;
      }
      case UploadOp::kRename: {
        if (durable_->Head(e.path).ok()) {
          if (!durable_->Head(e.path2).ok()) AVA_RETURN_IF_ERROR(durable_->Copy(e.path, e.path2).status());
          AVA_RETURN_IF_ERROR(durable_->Delete(e.path));
        }
        break;
      }
      case UploadOp::kMkdir:
        if (!durable_->Head(e.path).ok()) AVA_RETURN_IF_ERROR(durable_->Put(e.path, "").status());
        break;
    }
    if (cloud_ == nullptr) {
      AVA_RETURN_IF_ERROR(journal_->Complete(e));
      index_.RemovePending(e.seq);
      index_.RemoveWhiteout(e.path);
    }
  }
  return Status::OK();
}

Status WriteBack::Reconcile(const JournalSnapshot& snapshot) {
  // Entries the journal kept were committed before any it lost, and a lost entry's file reached
  // the durable tier after its commit: so every file changed since the newest kept entry is
  // suspect (less a margin for the durable tier's clock). Re-queuing a file that was fine only
  // uploads it again.
  constexpr int64_t kClockSkewNs = 300'000'000'000;  // 5 minutes
  int64_t newest = 0;
  for (const UploadEntry& e : snapshot.queue) newest = std::max(newest, e.enqueued_ns);
  for (const DurableFile& d : snapshot.durable) newest = std::max(newest, d.last_used_ns);
  const int64_t suspect_since = newest - kClockSkewNs;
  std::unordered_map<std::string, uint64_t> known;
  for (const DurableFile& d : snapshot.durable) known[d.path] = d.size;
  std::unordered_set<std::string> queued;
  for (const UploadEntry& e : snapshot.queue) {
    if (e.op == UploadOp::kPut || e.op == UploadOp::kMkdir) queued.insert(e.path);
  }
  AVA_LOG(env_.logger, kWarn, "writeback",
          "{}: the machine went down while this mount was open; checking the durable tier for files "
          "whose journal entries were lost",
          mount_);
  AVA_ASSIGN_OR_RETURN(store::ListPage all, store::ListAll(*durable_, store::ListRequest{}));
  size_t requeued = 0;
  uint64_t last_ticket = 0;
  for (const store::ObjectInfo& o : all.objects) {
    auto it = known.find(o.key);
    const bool suspect =
        it == known.end() || it->second != o.size || o.mtime_ns == 0 || o.mtime_ns >= suspect_since;
    if (!suspect || queued.contains(o.key)) continue;
    UploadEntry entry;
    if (o.key.ends_with('/')) {
      AVA_ASSIGN_OR_RETURN(entry, journal_->RecordMkdir(o.key, DueAt()));
      AVA_RETURN_IF_ERROR(journal_->SetDurableSize(o.key, 0));
    } else {
      AVA_ASSIGN_OR_RETURN(WritebackJournal::BegunPut begun, journal_->BeginPut(o.key, o.size, DueAt()));
      entry = std::move(begun.entry);
      last_ticket = begun.ticket;
    }
    index_.SetDurable(o.key, o.size, entry.enqueued_ns);
    AVA_RETURN_IF_ERROR(Queued(entry));
    ++requeued;
  }
  AVA_RETURN_IF_ERROR(journal_->WaitSynced(last_ticket));
  AVA_RETURN_IF_ERROR(journal_->UncleanRebootHandled());
  AVA_LOG(env_.logger, kWarn, "writeback", "{}: {} file(s) on the durable tier, {} queued for upload again",
          mount_, all.objects.size(), requeued);
  return Status::OK();
}

void WriteBack::Start() {
  if (started_) return;
  started_ = true;
  if (uploader_) uploader_->Start();
  evictor_ = std::thread([this] { EvictLoop(); });
}

void WriteBack::Stop() {
  {
    std::lock_guard<std::mutex> lock(evict_mu_);
    stopping_ = true;
  }
  evict_cv_.notify_all();
  if (evictor_.joinable()) evictor_.join();
  if (uploader_) uploader_->Stop();
  part_pool_->Shutdown();
}

void WriteBack::EvictLoop() {
  std::unique_lock<std::mutex> lock(evict_mu_);
  while (!stopping_) {
    evict_cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    EvictOnce();
    lock.lock();
  }
}

std::recursive_mutex& WriteBack::StripeFor(const std::string& path) {
  return stripes_[std::hash<std::string>{}(path) % stripes_.size()];
}

int64_t WriteBack::DueAt() const { return env_.clock->WallNow().count() + config_.upload_delay.count(); }

bool WriteBack::UnderPressure() const {
  if (config_.durable_capacity == 0) return false;
  return static_cast<double>(UsedBytes()) >
         config_.durable_high_watermark * static_cast<double>(config_.durable_capacity);
}

Status WriteBack::Reserve(uint64_t bytes) {
  if (bytes == 0) return Status::OK();
  if (config_.durable_capacity == 0) {
    staged_bytes_ += bytes;
    return Status::OK();
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    {
      std::lock_guard<std::mutex> lock(reserve_mu_);
      if (UsedBytes() + bytes <= config_.durable_capacity) {
        staged_bytes_ += bytes;
        return Status::OK();
      }
    }
    if (uploader_) uploader_->Wake();
    uint64_t need = UsedBytes() + bytes - std::min(UsedBytes() + bytes, config_.durable_capacity);
    if (cloud_ == nullptr || EvictBytes(need) == 0) break;
  }
  return Status::NoSpace(
      fmt::format("the durable tier of {} is full ({} of {} used, {} not yet uploaded); writes succeed again "
                  "once uploads "
                  "free space",
                  mount_, FormatBytes(UsedBytes()), FormatBytes(config_.durable_capacity),
                  FormatBytes(index_.dirty_bytes())));
}

void WriteBack::Release(uint64_t bytes) {
  uint64_t cur = staged_bytes_.load();
  while (!staged_bytes_.compare_exchange_weak(cur, cur - std::min(cur, bytes))) {
  }
}

uint64_t WriteBack::EvictBytes(uint64_t bytes) {
  if (cloud_ == nullptr) return 0;
  auto candidates =
      index_.EvictionCandidates(bytes, [this](const std::string& p) { return FindWriter(p) != nullptr; });
  uint64_t freed = 0;
  for (const auto& [path, size] : candidates) {
    std::unique_lock<std::recursive_mutex> lock(StripeFor(path), std::try_to_lock);
    if (!lock.owns_lock()) continue;  // busy: a commit or rename is working on it
    // Re-check under the path's lock: a commit may have made it dirty since.
    if (index_.HasPending(path) || FindWriter(path) != nullptr || !index_.DurableSize(path)) continue;
    Status s = durable_->Delete(path);
    if (!s.ok() && !s.IsNotFound()) {
      AVA_LOG(env_.logger, kWarn, "writeback", "{}: cannot evict {} from the durable tier: {}", mount_, path,
              s.ToString());
      continue;
    }
    journal_->SetDurableSize(path, std::nullopt).IgnoreError();  // re-derived lazily if lost
    index_.EraseDurable(path);
    evictions_++;
    freed += size;
  }
  return freed;
}

void WriteBack::EvictOnce() {
  if (config_.durable_capacity == 0 || cloud_ == nullptr) return;
  double cap = static_cast<double>(config_.durable_capacity);
  double used = static_cast<double>(UsedBytes());
  if (used <= config_.durable_high_watermark * cap) return;
  uploader_->Wake();
  EvictBytes(static_cast<uint64_t>(used - config_.durable_low_watermark * cap));
}

std::shared_ptr<StagedFile> WriteBack::FindWriter(const std::string& path) const {
  std::lock_guard<std::mutex> lock(writers_mu_);
  auto it = writers_.find(path);
  return it == writers_.end() ? nullptr : it->second;
}

std::vector<std::pair<std::string, uint64_t>> WriteBack::WritersIn(const std::string& dir) const {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::lock_guard<std::mutex> lock(writers_mu_);
  for (const auto& [path, f] : writers_) {
    if (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
        path.find('/', dir.size()) == std::string::npos) {
      out.emplace_back(path.substr(dir.size()), f->size());
    }
  }
  return out;
}

Result<std::shared_ptr<StagedFile>> WriteBack::OpenWriter(const std::string& path, bool truncate,
                                                          bool is_new) {
  std::lock_guard<std::recursive_mutex> stripe(StripeFor(path));
  std::shared_ptr<StagedFile> existing = FindWriter(path);
  if (existing) {
    {
      std::lock_guard<std::mutex> lock(writers_mu_);
      existing->handles++;
    }
    if (truncate) AVA_RETURN_IF_ERROR(Truncate(*existing, 0));
    return existing;
  }
  std::string staging = fmt::format("{}/staging/{}", config_.state_dir, next_staging_id_++);
  const uint64_t in_memory = std::min(config_.staging_memory, WritebackConfig::kMemoryStagedFileMax);
  BudgetLease memory;
  if (in_memory > 0 && staging_memory_.TryAcquire(in_memory))
    memory = BudgetLease(&staging_memory_, in_memory);
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<StagedFile> created,
                       StagedFile::Create(std::move(staging), path, std::move(memory)));
  std::shared_ptr<StagedFile> f(std::move(created));
  if (!truncate && !is_new) {
    // Appending to or modifying an existing file starts from its current bytes.
    AVA_ASSIGN_OR_RETURN(store::ObjectInfo info, view_.Head(path));
    AVA_RETURN_IF_ERROR(Reserve(info.size));
    f->reserved += info.size;
    for (uint64_t off = 0; off < info.size; off += config_.uploader.part_size) {
      store::GetRequest req;
      req.key = path;
      req.offset = off;
      req.length = std::min(config_.uploader.part_size, info.size - off);
      req.if_match = info.etag;
      Result<store::GetResult> got = view_.Get(req);
      if (!got.ok()) {
        Release(f->reserved);
        return got.status().Annotate(fmt::format("copying {} before writing it", path));
      }
      Status s = f->Write(off, got->data).status();
      if (!s.ok()) {
        Release(f->reserved);
        return s;
      }
    }
    f->MarkClean(f->version());
  } else {
    // A new or truncated file differs from what the durable tier has, even with no write.
    AVA_RETURN_IF_ERROR(f->Truncate(0).status());
  }
  std::lock_guard<std::mutex> lock(writers_mu_);
  f->handles = 1;
  writers_[path] = f;
  return f;
}

Status WriteBack::Write(StagedFile& file, uint64_t offset, std::string_view data) {
  uint64_t end = offset + data.size();
  uint64_t size = file.size();
  uint64_t grow = end > size ? end - size : 0;
  AVA_RETURN_IF_ERROR(Reserve(grow));
  Result<uint64_t> r = file.Write(offset, data);
  if (!r.ok()) {
    Release(grow);
    return r.status();
  }
  file.reserved += grow;
  StreamParts(file, offset, end);
  return Status::OK();
}

void WriteBack::StreamParts(StagedFile& file, uint64_t offset, uint64_t end) {
  const uint64_t part = config_.uploader.part_size;
  std::shared_ptr<PartStreamer> streamer;
  {
    std::lock_guard lock(file.streamer_mu);
    if (!file.streamer && end < part) return;  // one part at most so far: a single PUT at commit
    std::string path = file.path();
    if (file.streamer && file.streamer->key() != path) {
      // Renamed while open: the parts went up under the old name.
      file.streamer->Abandon();
      file.streamer.reset();
    }
    if (!file.streamer) {
      if (end < part) return;
      Result<int> fd = file.DiskFd();
      Result<std::shared_ptr<PartStreamer>> made =
          fd.ok()
              ? PartStreamer::Create(durable_, path, *fd, part, config_.uploader.threads, part_pool_.get())
              : fd.status();
      if (!made.ok()) {
        AVA_LOG(env_.logger, kWarn, "writeback", "{}: parts go up at close, not while writing: {}", path,
                made.status().ToString());
        return;
      }
      file.streamer = std::move(made).value();
    }
    streamer = file.streamer;
  }
  streamer->Wrote(offset, end, file.size());
}

std::shared_ptr<PartStreamer> WriteBack::TakeStreamer(StagedFile& file) {
  std::lock_guard lock(file.streamer_mu);
  return std::move(file.streamer);
}

Status WriteBack::Truncate(StagedFile& file, uint64_t size) {
  uint64_t cur = file.size();
  if (size > cur) AVA_RETURN_IF_ERROR(Reserve(size - cur));
  Result<int64_t> delta = file.Truncate(size);
  if (!delta.ok()) {
    if (size > cur) Release(size - cur);
    return delta.status();
  }
  // Truncation changes bytes no write reported: parts sent early cannot be trusted.
  if (std::shared_ptr<PartStreamer> streamer = TakeStreamer(file)) streamer->Abandon();
  if (size > cur) {
    file.reserved += size - cur;
  } else {
    uint64_t give = std::min<uint64_t>(cur - size, file.reserved.load());
    file.reserved -= give;
    Release(give);
  }
  return Status::OK();
}

Status WriteBack::PutDurable(const std::string& path, StagedFile& file, const StagedFile::Snapshot& snap) {
  if (std::shared_ptr<PartStreamer> streamer = TakeStreamer(file)) {
    if (streamer->key() == path) {
      Result<store::ObjectInfo> done = streamer->Finish(snap.size);
      parts_streamed_ += streamer->parts_sent_early();
      if (done.ok() || done.status().code() != Code::kFailedPrecondition) return done.status();
    }
    streamer->Abandon();  // renamed, or shrank below what was sent: put it whole
  }
  if (snap.memory) return durable_->Put(path, *snap.memory).status();
  AVA_ASSIGN_OR_RETURN(int fd, file.DiskFd());
  return store::PutFile(*durable_, path, fd, snap.size, Transfers()).status();
}

Status WriteBack::Commit(StagedFile& file) {
  if (!file.dirty() || file.unlinked) return Status::OK();
  std::string path = file.path();
  std::lock_guard<std::recursive_mutex> stripe(StripeFor(path));
  const StagedFile::Snapshot snap = file.Snap();
  const uint64_t size = snap.size;
  AVA_ASSIGN_OR_RETURN(WritebackJournal::BegunPut begun, journal_->BeginPut(path, size, DueAt()));
  const UploadEntry& entry = begun.entry;
  std::optional<uint64_t> before = index_.DurableSize(path);
  index_.SetDurable(path, size, entry.enqueued_ns);
  // The uploader sees the entry only once the durable tier holds what it must upload (below).
  Status s = PutDurable(path, file, snap);
  if (!s.ok()) {
    // Not durable: take the queued upload back; the durable tier keeps what it had.
    Result<store::ObjectInfo> now = durable_->Head(path);
    std::optional<uint64_t> held;
    if (now.ok())
      held = now->size;
    else if (!now.status().IsNotFound())
      held = before;
    journal_->AbortPut(entry.seq, path, held).IgnoreError();
    if (held)
      index_.SetDurable(path, *held, entry.enqueued_ns);
    else
      index_.EraseDurable(path);
    return s.Annotate(fmt::format("writing {} to the durable tier", path));
  }
  // The durable tier now holds the file: its reservation is part of the durable bytes.
  uint64_t moved = file.reserved.exchange(0);
  Release(moved);
  AVA_RETURN_IF_ERROR(Queued(entry));
  // Synced only now, so that one sync covers the entries of every commit that overlapped this
  // PUT. (Should the sync fail, the file stays dirty and its next commit tries again.)
  AVA_RETURN_IF_ERROR(journal_->WaitSynced(begun.ticket));
  file.MarkClean(snap.version);
  return Status::OK();
}

Status WriteBack::Queued(const UploadEntry& entry) {
  if (cloud_ == nullptr) {
    // Nothing to upload: the journal entry only guarded the durable change.
    AVA_RETURN_IF_ERROR(journal_->Complete(entry));
    index_.RemoveWhiteout(entry.path);
    return Status::OK();
  }
  index_.AddPending(entry);
  // A delayed entry is picked up by the uploader's periodic check; waking it at every close of a
  // busy writer would only cost a context switch per file.
  if (entry.not_before_ns <= env_.clock->WallNow().count() || UnderPressure()) uploader_->Wake();
  return Status::OK();
}

Status WriteBack::CloseWriter(const std::shared_ptr<StagedFile>& file) {
  bool last = false;
  {
    std::lock_guard<std::mutex> lock(writers_mu_);
    last = --file->handles == 0;
  }
  if (!last) return Status::OK();
  Status s = Commit(*file);
  {
    std::lock_guard<std::mutex> lock(writers_mu_);
    if (file->handles > 0) return s;  // reopened meanwhile: the new handle keeps it
    auto it = writers_.find(file->path());
    if (it != writers_.end() && it->second == file) writers_.erase(it);
  }
  Release(file->reserved.exchange(0));
  return s;
}

Status WriteBack::Unlink(const std::string& path) {
  std::lock_guard<std::recursive_mutex> stripe(StripeFor(path));
  {
    std::lock_guard<std::mutex> lock(writers_mu_);
    auto it = writers_.find(path);
    if (it != writers_.end()) {
      it->second->unlinked = true;  // open handles keep writing to an unnamed file, as on POSIX
      writers_.erase(it);
    }
  }
  AVA_ASSIGN_OR_RETURN(UploadEntry entry, journal_->RecordDelete(path, DueAt()));
  index_.EraseDurable(path);
  index_.AddWhiteout(path);
  {
    std::lock_guard<std::mutex> lock(attrs_mu_);
    attrs_.erase(path);
  }
  Status s = durable_->Delete(path);
  if (!s.ok() && !s.IsNotFound()) {
    AVA_LOG(env_.logger, kWarn, "writeback",
            "{}: delete of {} on the durable tier failed ({}); retried at restart", mount_, path,
            s.ToString());
  }
  return Queued(entry);
}

Status WriteBack::Mkdir(const std::string& dir) {
  std::lock_guard<std::recursive_mutex> stripe(StripeFor(dir));
  AVA_ASSIGN_OR_RETURN(UploadEntry entry, journal_->RecordMkdir(dir, DueAt()));
  index_.RemoveWhiteout(dir);
  Status s = durable_->Put(dir, "").status();
  if (s.ok()) s = journal_->SetDurableSize(dir, 0);
  if (!s.ok()) {
    // The journal entry stays: replay at the next start makes the marker (mkdir is idempotent).
    return s.Annotate(fmt::format("creating directory {}", dir));
  }
  index_.SetDurable(dir, 0, entry.enqueued_ns);
  return Queued(entry);
}

Status WriteBack::Rmdir(const std::string& dir) { return Unlink(dir); }

Status WriteBack::Promote(const std::string& path) {
  AVA_ASSIGN_OR_RETURN(store::ObjectInfo info, view_.Head(path));
  info.key = path;
  AVA_RETURN_IF_ERROR(Reserve(info.size));
  Status s = store::CopyAcross(view_, *durable_, info, path, Transfers()).status();
  Release(info.size);
  if (!s.ok()) return s.Annotate(fmt::format("copying {} to the durable tier", path));
  AVA_RETURN_IF_ERROR(journal_->SetDurableSize(path, info.size));
  index_.SetDurable(path, info.size, env_.clock->WallNow().count());
  return Status::OK();
}

Status WriteBack::Rename(const std::string& from, const std::string& to) {
  if (from == to) return Status::OK();
  std::recursive_mutex* a = &StripeFor(from);
  std::recursive_mutex* b = &StripeFor(to);
  if (a > b) std::swap(a, b);
  std::unique_lock<std::recursive_mutex> la(*a);
  std::unique_lock<std::recursive_mutex> lb;
  if (b != a) lb = std::unique_lock<std::recursive_mutex>(*b);

  {
    // A file open for writing under the target name loses its name, as on POSIX.
    std::lock_guard<std::mutex> lock(writers_mu_);
    auto it = writers_.find(to);
    if (it != writers_.end() && it->second->path() == to) {
      it->second->unlinked = true;
      writers_.erase(it);
    }
  }
  if (std::shared_ptr<StagedFile> w = FindWriter(from)) {
    // Commit what the writer has so the durable tier holds it, then keep writing under the new name.
    la.unlock();
    if (lb.owns_lock()) lb.unlock();
    AVA_RETURN_IF_ERROR(Commit(*w));
    la.lock();
    if (b != a) lb.lock();
    std::lock_guard<std::mutex> lock(writers_mu_);
    writers_.erase(from);
    w->set_path(to);
    writers_[to] = w;
  }
  if (!index_.DurableSize(from)) AVA_RETURN_IF_ERROR(Promote(from));
  uint64_t size = index_.DurableSize(from).value_or(0);
  AVA_ASSIGN_OR_RETURN(UploadEntry entry, journal_->RecordRename(from, to, size, DueAt()));
  index_.EraseDurable(from);
  index_.SetDurable(to, size, entry.enqueued_ns);
  index_.AddWhiteout(from);
  index_.RemoveWhiteout(to);
  {
    std::lock_guard<std::mutex> lock(attrs_mu_);
    auto it = attrs_.find(from);
    if (it != attrs_.end()) {
      attrs_[to] = it->second;
      attrs_.erase(it);
    } else {
      attrs_.erase(to);
    }
  }
  Status s = durable_->Copy(from, to).status();
  if (s.ok()) s = durable_->Delete(from);
  if (!s.ok()) {
    AVA_LOG(env_.logger, kWarn, "writeback",
            "{}: rename {} → {} on the durable tier failed ({}); finished at restart", mount_, from, to,
            s.ToString());
    return s;
  }
  return Queued(entry);
}

Status WriteBack::RenameDir(const std::string& from_dir, const std::string& to_dir) {
  // Files still being written under the directory are committed first, so the listing has them.
  std::vector<std::shared_ptr<StagedFile>> open;
  {
    std::lock_guard<std::mutex> lock(writers_mu_);
    for (const auto& [path, f] : writers_) {
      if (path.compare(0, from_dir.size(), from_dir) == 0) open.push_back(f);
    }
  }
  for (const auto& f : open) AVA_RETURN_IF_ERROR(Commit(*f));
  store::ListRequest req;
  req.prefix = from_dir;
  AVA_ASSIGN_OR_RETURN(store::ListPage all, store::ListAll(view_, req));
  bool had_marker = false;
  for (const auto& o : all.objects) {
    std::string rest = o.key.substr(from_dir.size());
    if (rest.empty()) {
      had_marker = true;
      continue;
    }
    if (o.key.ends_with('/')) {
      AVA_RETURN_IF_ERROR(Mkdir(to_dir + rest));
      AVA_RETURN_IF_ERROR(Rmdir(o.key));
    } else {
      AVA_RETURN_IF_ERROR(Rename(o.key, to_dir + rest));
    }
  }
  AVA_RETURN_IF_ERROR(Mkdir(to_dir));
  if (had_marker) AVA_RETURN_IF_ERROR(Rmdir(from_dir));
  return Status::OK();
}

Status WriteBack::SetAttrs(const std::string& path, const FileAttrs& attrs) {
  AVA_RETURN_IF_ERROR(journal_->SetAttrs(path, attrs));
  std::lock_guard<std::mutex> lock(attrs_mu_);
  attrs_[path] = attrs;
  return Status::OK();
}

std::optional<FileAttrs> WriteBack::Attrs(const std::string& path) const {
  std::lock_guard<std::mutex> lock(attrs_mu_);
  auto it = attrs_.find(path);
  if (it == attrs_.end()) return std::nullopt;
  return it->second;
}

Status WriteBack::Flush(const std::string& prefix, Nanos timeout) {
  if (cloud_ == nullptr) return Status::OK();
  AVA_RETURN_IF_ERROR(journal_->ExpediteAll(prefix));
  index_.Expedite(prefix);
  uploader_->Wake();
  Nanos deadline = env_.clock->Now() + timeout;
  while (index_.PendingUnder(prefix)) {
    if (env_.clock->Now() >= deadline) {
      return Status::DeadlineExceeded(
          fmt::format("{} change(s) under '{}' not uploaded yet (the cloud store may be "
                      "down; they are retried in the background)",
                      index_.PendingCountUnder(prefix), prefix));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    uploader_->Wake();
  }
  return Status::OK();
}

WritebackStats WriteBack::Stats() const {
  WritebackStats s;
  s.queue_length = index_.queue_length();
  s.dirty_bytes = index_.dirty_bytes();
  s.staged_bytes = staged_bytes_.load();
  s.staging_memory_bytes = staging_memory_.used();
  if (auto oldest = index_.oldest_enqueued_ns()) {
    s.oldest_pending_seconds =
        std::max<double>(0, static_cast<double>(env_.clock->WallNow().count() - *oldest) / 1e9);
  }
  s.durable_used_bytes = UsedBytes();
  s.durable_capacity_bytes = config_.durable_capacity;
  if (uploader_) {
    s.uploaded_bytes = uploader_->uploaded_bytes();
    s.upload_errors = uploader_->errors();
  }
  s.evictions = evictions_.load();
  return s;
}

}  // namespace ava::fs
