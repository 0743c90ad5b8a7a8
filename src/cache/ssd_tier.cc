#include "cache/ssd_tier.h"

#include <fmt/format.h>

#include <chrono>

#include "cache/ssd_block_format.h"
#include "cache/tiered_cache.h"
#include "common/file_util.h"
#include "common/units.h"

namespace ava::cache {

namespace {

using Type = JournalRecord::Type;

// SSD hits remembered for the journal between maintenance passes; beyond this, recency after a
// crash is approximate anyway.
constexpr size_t kMaxTouches = 4096;

// Two empty records (kOpened, kClean): what a snapshot may add beyond the records it rewrites.
const uint64_t kJournalMarkReserve = 2 * JournalRecordSize(JournalRecord::Type::kClean, BlockKey{});

std::string Encode(Type type, const BlockKey& key, uint64_t charge = 0) {
  std::string out;
  EncodeJournalRecord(JournalRecord{.type = type, .key = key, .charge = charge}, &out);
  return out;
}

bool IsAbove(uint64_t used, const TierConfig& t, double fraction) {
  return static_cast<double>(used) > static_cast<double>(t.capacity_bytes) * fraction;
}

}  // namespace

SsdTier::SsdTier(const SsdTierOptions& options, const SsdTierDeps& deps)
    : options_(options),
      disk_(deps.disk),
      clock_(deps.clock),
      logger_(deps.logger),
      metrics_(deps.metrics),
      on_high_(deps.on_high),
      before_index_load_(deps.before_index_load) {}

Result<std::unique_ptr<SsdTier>> SsdTier::Open(const SsdTierOptions& options, const SsdTierDeps& deps) {
  if (deps.disk == nullptr || deps.clock == nullptr || deps.metrics == nullptr) {
    return Status::InvalidArgument("SsdTier needs a disk, a clock and metrics");
  }
  const std::string& dir = options.dir;
  AVA_RETURN_IF_ERROR(deps.disk->MakeDirs(dir, 0700).Annotate("SSD cache directory"));
  AVA_RETURN_IF_ERROR(deps.disk->MakeDirs(dir + "/blocks", 0700).Annotate("SSD cache directory"));
  AVA_RETURN_IF_ERROR(deps.disk->MakeDirs(dir + "/tmp", 0700).Annotate("SSD cache directory"));
  std::unique_ptr<SsdTier> tier(new SsdTier(options, deps));
  AVA_ASSIGN_OR_RETURN(tier->lock_file_, deps.disk->LockFile(dir + "/LOCK"));
  // Only writes in flight at a crash leave files here, so this listing is short.
  AVA_ASSIGN_OR_RETURN(std::vector<std::string> leftovers, deps.disk->ListDir(dir + "/tmp"));
  for (const std::string& name : leftovers) deps.disk->RemoveFile(dir + "/tmp/" + name).IgnoreError();
  tier->loader_ = std::thread([t = tier.get()] { t->LoadIndex(); });
  return tier;
}

SsdTier::~SsdTier() { Stop(); }

std::string SsdTier::BlockPathIn(const std::string& dir, const BlockKey& key) {
  std::string hex = fmt::format("{:016x}", BlockFingerprint(key));
  return fmt::format("{}/blocks/{}/{}/{}.blk", dir, hex.substr(0, 2), hex.substr(2, 2), hex);
}

std::string SsdTier::NextTempPath() {
  return fmt::format("{}/tmp/{}.tmp", options_.dir, temp_seq_.fetch_add(1, std::memory_order_relaxed));
}

uint64_t SsdTier::UsedLocked() const {
  // The journal is charged a few bytes more than its size: room for the marks a snapshot adds.
  uint64_t journal = journal_ != nullptr ? journal_bytes_ + kJournalMarkReserve : 0;
  return index_.total_charge() + inflight_bytes_ + journal;
}

uint64_t SsdTier::used_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return UsedLocked();
}

void SsdTier::FillStats(TierStats* s) const {
  metrics_->Fill(s);
  std::lock_guard<std::mutex> l(mu_);
  s->capacity_bytes = options_.tier.capacity_bytes;
  s->used_bytes = UsedLocked();
  s->blocks = index_.size();
  s->enabled = enabled();
  s->index_loaded = !loading_;
}

// ---- Index loading -------------------------------------------------------------------------------

Status SsdTier::ReplayAndVerify(Index* loaded, bool* clean, uint64_t* dropped_missing) {
  const std::string path = JournalPath();
  auto apply = [loaded](const JournalRecord& r) {
    switch (r.type) {
      case Type::kInsert:
        if (Index::Entry* e = loaded->FindAndTouch(r.key)) {
          loaded->SetCharge(e, r.charge);
        } else {
          loaded->Insert(r.key, r.charge, NoValue{});
        }
        break;
      case Type::kErase:
        loaded->Erase(r.key);
        break;
      case Type::kTouch:
        loaded->FindAndTouch(r.key);
        break;
      default:
        break;
    }
  };
  Result<JournalReplayResult> replay = SsdIndexJournal::Replay(disk_, path, apply);
  uint64_t valid_bytes = 0;
  *clean = true;
  if (replay.ok()) {
    valid_bytes = replay->valid_bytes;
    *clean = replay->clean || replay->records == 0;
    if (!replay->tail_problem.empty()) {
      AVA_LOG(logger_, kWarn, "cache", "SSD index {}: ignored the last {} bytes ({}); kept {} records", path,
              replay->ignored_bytes, replay->tail_problem, replay->records);
      *clean = false;
    }
  } else if (!replay.status().IsNotFound()) {
    return replay.status();
  }
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<SsdIndexJournal> journal,
                       SsdIndexJournal::Open(disk_, path, valid_bytes));
  // From here until the snapshot that ends loading, the journal does not end with a clean mark,
  // so a crash in between makes the next start verify files.
  AVA_RETURN_IF_ERROR(journal->Append(Encode(Type::kOpened, {})));
  {
    std::lock_guard<std::mutex> l(mu_);
    journal_bytes_ = journal->size();
    journal_ = std::move(journal);
  }

  *dropped_missing = 0;
  if (!*clean) {
    std::vector<BlockKey> missing;
    loaded->ForEachLeastToMostRecent([&](const Index::Entry& e) {
      if (abort_load_.load(std::memory_order_relaxed)) return;
      Result<bool> exists = disk_->FileExists(BlockPath(e.key));
      if (exists.ok() && !*exists) missing.push_back(e.key);
    });
    if (abort_load_.load()) return Status::Cancelled("the cache is stopping");
    for (const BlockKey& k : missing) loaded->Erase(k);
    *dropped_missing = missing.size();
  }
  return Status::OK();
}

void SsdTier::LoadIndex() {
  if (before_index_load_) before_index_load_();
  Nanos start = clock_->Now();
  Index loaded;
  bool clean = true;
  uint64_t dropped_missing = 0;
  Status s = ReplayAndVerify(&loaded, &clean, &dropped_missing);
  if (!s.ok()) {
    // Nothing was merged, so no snapshot may be written: the journal on disk stays as it was (plus
    // an "opened" mark), and the next start loads it again.
    if (s.code() != Code::kCancelled) {
      AVA_LOG(logger_, kError, "cache", "SSD tier {}: cannot load its index: {}; continuing RAM-only",
              options_.dir, s.ToString());
    }
    enabled_.store(false);
    std::lock_guard<std::mutex> l(mu_);
    journal_.reset();
    loading_ = false;
    cv_.notify_all();
    return;
  }

  std::vector<Victim> victims;
  size_t merged = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    // Loaded blocks are older than anything the cache touched while loading: put them under it.
    loaded.ForEachMostToLeastRecent([&](const Index::Entry& e) {
      if (index_.Find(e.key) != nullptr || dropped_during_load_.count(e.key) > 0) return;
      index_.Insert(e.key, e.charge, NoValue{}, Index::Position::kLeastRecent);
      ++merged;
    });
    dropped_during_load_.clear();
    live_record_bytes_ = 0;
    index_.ForEachLeastToMostRecent(
        [&](const Index::Entry& e) { live_record_bytes_ += JournalRecordSize(Type::kInsert, e.key); });
    uint64_t used = UsedLocked();
    if (used > options_.tier.capacity_bytes) victims = PickVictimsLocked(used - options_.tier.capacity_bytes);
  }
  DeleteVictims(victims);
  Status snap = WriteSnapshot(/*clean=*/false);
  if (!snap.ok()) Disable(snap.Annotate("rewriting the index journal"));

  uint64_t blocks = 0, used = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    blocks = index_.size();
    used = UsedLocked();
  }
  // Logged before loading ends, so whoever waited for the load (Flush) sees the line.
  AVA_LOG(logger_, kInfo, "cache",
          "SSD tier {}: index loaded in {}: {} blocks, {} in use ({} from the journal, {} stop{}{})",
          options_.dir, FormatDuration(clock_->Now() - start), blocks, FormatBytes(used), merged,
          clean ? "clean" : "unclean",
          dropped_missing > 0 ? fmt::format(", {} missing files dropped", dropped_missing) : "",
          victims.empty() ? "" : fmt::format(", {} evicted to fit the capacity", victims.size()));
  {
    std::lock_guard<std::mutex> l(mu_);
    loading_ = false;
  }
  cv_.notify_all();
}

// ---- Reads ---------------------------------------------------------------------------------------

std::optional<BlockData> SsdTier::Lookup(const BlockKey& key) {
  bool probing = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (index_.FindAndTouch(key) != nullptr) {
      if (!loading_ && touches_.size() < kMaxTouches) touches_.push_back(key);
    } else if (auto it = pending_.find(key); it != pending_.end()) {
      BlockData data = it->second.data;
      metrics_->Hit(data->size());
      return data;
    } else if (loading_ && dropped_during_load_.count(key) == 0) {
      probing = true;  // not indexed yet: the file itself says whether it holds this block
    } else {
      metrics_->Miss();
      return std::nullopt;
    }
  }
  const std::string path = BlockPath(key);
  Result<std::string> contents = disk_->ReadFile(path);
  if (!contents.ok()) {
    if (!contents.status().IsNotFound()) {
      AVA_LOG(logger_, kWarn, "cache", "dropping SSD block {}: {}", path, contents.status().ToString());
      DropEntry(key);
    } else if (!probing) {
      DropEntry(key);  // the index said it was there; it is not
    }
    metrics_->Miss();
    return std::nullopt;
  }
  std::string data = std::move(contents).value();
  Result<BlockKey> held = DecodeBlockFile(&data);
  Status bad = held.ok() ? Status::OK() : held.status();
  if (held.ok() && *held != key) {
    bad = Status::Corruption(fmt::format("file holds block {}", held->ToString()));
  }
  if (!bad.ok()) {
    metrics_->Corrupt();
    AVA_LOG(logger_, kWarn, "cache", "dropping corrupt SSD block {} (wanted {}): {}", path, key.ToString(),
            bad.message());
    if (probing) {
      {
        std::lock_guard<std::mutex> l(mu_);
        if (index_.Find(key) == nullptr) dropped_during_load_.insert(key);
      }
      disk_->RemoveFile(path).IgnoreError();
    } else {
      DropEntry(key);
    }
    metrics_->Miss();
    return std::nullopt;
  }
  if (probing) {
    std::lock_guard<std::mutex> l(mu_);
    if (loading_ && index_.Find(key) == nullptr && dropped_during_load_.count(key) == 0) {
      uint64_t charge = SsdBlockCharge(key);
      index_.Insert(key, charge, NoValue{});
    }
  }
  metrics_->Hit(data.size());
  return std::make_shared<const std::string>(std::move(data));
}

bool SsdTier::Contains(const BlockKey& key) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (index_.Find(key) != nullptr || pending_.count(key) > 0) return true;
    if (!loading_ || dropped_during_load_.count(key) > 0) return false;
  }
  Result<std::string> prefix = disk_->ReadFilePrefix(BlockPath(key), BlockHeaderSize(key));
  if (!prefix.ok()) return false;
  Result<BlockHeader> header = DecodeBlockHeader(*prefix);
  return header.ok() && header->key == key;
}

void SsdTier::DropEntry(const BlockKey& key) {
  std::vector<Victim> victims;
  {
    std::lock_guard<std::mutex> l(mu_);
    std::optional<Index::Entry> e = index_.Erase(key);
    if (loading_) {
      // The loaded index may still list it; keep the merge from bringing it back.
      dropped_during_load_.insert(key);
    } else if (!e) {
      // Evicted or dropped meanwhile; its file is someone else's business now (it may even be
      // a fresh copy being renamed into place).
      return;
    }
    if (e) victims.push_back(ReleaseLocked(std::move(*e)));
  }
  if (victims.empty()) {
    disk_->RemoveFile(BlockPath(key)).IgnoreError();
    return;
  }
  DeleteVictims(victims);
}

// ---- Writes --------------------------------------------------------------------------------------

void SsdTier::Submit(const BlockKey& key, BlockData data) {
  if (!enabled()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_ || stopped_) return;
    if (index_.Find(key) != nullptr || pending_.count(key) > 0 || releasing_.count(key) > 0) return;
    if (queued_bytes_ + data->size() > options_.write_queue_bytes) {
      metrics_->WriteDrop();
      return;
    }
    queued_bytes_ += data->size();
    pending_.emplace(key, Pending{.data = std::move(data)});
    queue_.push_back(key);
  }
  cv_.notify_one();
}

void SsdTier::StartWriters() {
  std::lock_guard<std::mutex> l(mu_);
  if (writers_running_ || stopping_ || stopped_) return;
  writers_running_ = true;
  for (int i = 0; i < options_.writer_threads; ++i) writers_.emplace_back([this] { WriterLoop(); });
}

void SsdTier::WriterLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [&] { return stopping_ || (!loading_ && !queue_.empty()); });
    // On stop the queue is drained first, unless the index never loaded.
    if (queue_.empty() || loading_) return;
    BlockKey key = std::move(queue_.front());
    queue_.pop_front();
    ++busy_writers_;
    l.unlock();
    WriteOne(key);
    l.lock();
    --busy_writers_;
    cv_.notify_all();
  }
}

void SsdTier::WriteOne(const BlockKey& key) {
  const uint64_t charge = SsdBlockCharge(key);
  const uint64_t record = JournalRecordSize(Type::kInsert, key);
  const uint64_t need = charge + record;
  const uint64_t capacity = options_.tier.capacity_bytes;
  BlockData data;
  {
    std::unique_lock<std::mutex> l(mu_);
    auto it = pending_.find(key);
    if (it == pending_.end()) return;
    data = it->second.data;
    queued_bytes_ -= data->size();
    // A copy of the key being deleted would lose its new file to that deletion: skip it.
    if (!enabled() || journal_ == nullptr || index_.Find(key) != nullptr || releasing_.count(key) > 0 ||
        need > capacity) {
      pending_.erase(it);
      return;
    }
    // Hard limit: make room before a byte is written.
    while (UsedLocked() + need > capacity) {
      std::vector<Victim> victims = PickVictimsLocked(UsedLocked() + need - capacity);
      if (victims.empty()) {  // everything left is in flight or journal: give up on this block
        pending_.erase(key);
        metrics_->WriteDrop();
        return;
      }
      l.unlock();
      DeleteVictims(victims);
      l.lock();
    }
    it = pending_.find(key);
    it->second.reserved = true;
    it->second.charge = charge;
    inflight_bytes_ += need;
    live_record_bytes_ += record;
  }

  Status s = AppendJournal(Encode(Type::kInsert, key, charge), [&] {
    inflight_bytes_ -= record;  // now counted in the journal's size
    if (auto it = pending_.find(key); it != pending_.end()) it->second.journaled = true;
  });
  if (!s.ok()) return FailWrite(key, charge, s.Annotate("appending to the index journal"));

  const std::string tmp = NextTempPath();
  const std::string path = BlockPath(key);
  s = disk_->WriteFile(tmp, EncodeBlockFile(key, *data), options_.fsync);
  if (s.ok()) {
    s = disk_->Rename(tmp, path);
    if (s.IsNotFound()) {  // first block in this shard directory
      s = disk_->MakeDirs(DirName(path), 0700);
      if (s.ok()) s = disk_->Rename(tmp, path);
    }
  }
  if (!s.ok()) {
    disk_->RemoveFile(tmp).IgnoreError();
    return FailWrite(key, charge, s);
  }

  bool above_high = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    pending_.erase(key);
    inflight_bytes_ -= charge;
    index_.Insert(key, charge, NoValue{});
    above_high = IsAbove(UsedLocked(), options_.tier, options_.tier.high_watermark);
  }
  metrics_->Insert(charge);
  if (above_high && on_high_) on_high_();
}

void SsdTier::FailWrite(const BlockKey& key, uint64_t charge, const Status& why) {
  {
    std::lock_guard<std::mutex> l(mu_);
    pending_.erase(key);
    inflight_bytes_ -= charge;
    live_record_bytes_ -= std::min(live_record_bytes_, JournalRecordSize(Type::kInsert, key));
  }
  Disable(why);
}

void SsdTier::Disable(const Status& why) {
  if (enabled_.exchange(false)) {
    AVA_LOG(logger_, kWarn, "cache", "SSD tier {} is full/failing: {}; continuing RAM-only", options_.dir,
            why.ToString());
  }
  std::lock_guard<std::mutex> l(mu_);
  for (const BlockKey& k : queue_) pending_.erase(k);
  queue_.clear();
  queued_bytes_ = 0;
  cv_.notify_all();
}

Status SsdTier::AppendJournal(std::string_view records, const std::function<void()>& then_locked) {
  if (journal_ == nullptr) {
    std::lock_guard<std::mutex> l(mu_);
    then_locked();
    return Status::FailedPrecondition("the SSD index journal is not open");
  }
  return journal_->Append(records, [&] {
    std::lock_guard<std::mutex> l(mu_);
    journal_bytes_ += records.size();  // counted even when the write failed part-way
    then_locked();
  });
}

Status SsdTier::WriteSnapshot(bool clean) {
  if (journal_ == nullptr) return Status::FailedPrecondition("the SSD index journal is not open");
  return journal_->Rewrite(
      [&] {
        std::lock_guard<std::mutex> l(mu_);
        std::string out = BuildSnapshotLocked();
        if (clean) EncodeJournalRecord(JournalRecord{.type = Type::kClean}, &out);
        return out;
      },
      [&](uint64_t size) {
        std::lock_guard<std::mutex> l(mu_);
        journal_bytes_ = size;
      });
}

// ---- Eviction and deletion -----------------------------------------------------------------------

SsdTier::Victim SsdTier::ReleaseLocked(Index::Entry&& e) {
  // The block's charge stays reserved until its file is gone; it also covers the erase record
  // (far smaller than the 4 KiB a block is charged at least), so releasing never raises usage.
  inflight_bytes_ += e.charge;
  live_record_bytes_ -= std::min(live_record_bytes_, JournalRecordSize(Type::kInsert, e.key));
  releasing_[e.key] = e.charge;
  return Victim{std::move(e.key), e.charge};
}

std::vector<SsdTier::Victim> SsdTier::PickVictimsLocked(uint64_t bytes) {
  std::vector<Victim> victims;
  uint64_t freed = 0;
  while (freed < bytes) {
    std::optional<Index::Entry> e = index_.PopLeastRecent();
    if (!e) break;
    // Net effect once deleted: its charge is gone, its erase record added to the journal.
    freed += e->charge - std::min(e->charge, JournalRecordSize(Type::kErase, e->key));
    metrics_->Evict(e->charge);
    victims.push_back(ReleaseLocked(std::move(*e)));
  }
  return victims;
}

void SsdTier::DeleteVictims(const std::vector<Victim>& victims) {
  if (victims.empty()) return;
  std::string records;
  for (const Victim& v : victims) {
    Status s = disk_->RemoveFile(BlockPath(v.key));
    if (!s.ok() && !s.IsNotFound()) {
      AVA_LOG(logger_, kWarn, "cache", "SSD tier: cannot delete a block file: {}", s.ToString());
    }
    EncodeJournalRecord(JournalRecord{.type = Type::kErase, .key = v.key}, &records);
  }
  // The file goes first: a crash between the two leaves an entry without a file, which the next
  // start drops, never a file nobody accounts for.
  auto release = [&] {
    for (const Victim& v : victims) {
      releasing_.erase(v.key);
      inflight_bytes_ -= v.charge;
    }
  };
  bool journaled = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    journaled = !loading_;  // while loading, the snapshot that ends loading records the result
  }
  if (!journaled) {
    std::lock_guard<std::mutex> l(mu_);
    release();
    return;
  }
  Status s = AppendJournal(records, release);
  if (!s.ok() && enabled()) Disable(s.Annotate("appending to the index journal"));
}

void SsdTier::EvictOnce() {
  std::vector<Victim> victims;
  std::vector<BlockKey> touches;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (loading_ || journal_ == nullptr) return;
    uint64_t used = UsedLocked();
    if (IsAbove(used, options_.tier, options_.tier.high_watermark)) {
      auto low = static_cast<uint64_t>(static_cast<double>(options_.tier.capacity_bytes) *
                                       options_.tier.low_watermark);
      victims = PickVictimsLocked(used - low);
    }
    touches.swap(touches_);
  }
  DeleteVictims(victims);
  FlushTouches(std::move(touches));
  MaybeCompact();
}

void SsdTier::FlushTouches(std::vector<BlockKey> touches) {
  if (touches.empty() || !enabled()) return;
  std::string records;
  for (const BlockKey& k : touches)
    EncodeJournalRecord(JournalRecord{.type = Type::kTouch, .key = k}, &records);
  {
    std::lock_guard<std::mutex> l(mu_);
    // Recency records are a hint: skip them rather than evict a block to make room.
    if (UsedLocked() + records.size() > options_.tier.capacity_bytes) return;
    inflight_bytes_ += records.size();
  }
  Status s = AppendJournal(records, [&] { inflight_bytes_ -= records.size(); });
  if (!s.ok()) Disable(s.Annotate("appending to the index journal"));
}

void SsdTier::MaybeCompact() {
  if (journal_ == nullptr || !enabled()) return;
  uint64_t live = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    live = live_record_bytes_;
  }
  uint64_t size = journal_->size();
  if (size <= options_.journal_compact_min_bytes || size <= 2 * live + 64) return;
  Status s = WriteSnapshot(/*clean=*/false);
  if (!s.ok()) {
    Disable(s.Annotate("compacting the index journal"));
    return;
  }
  AVA_LOG(logger_, kDebug, "cache", "SSD index journal compacted from {} to {}", FormatBytes(size),
          FormatBytes(journal_->size()));
}

std::string SsdTier::BuildSnapshotLocked() const {
  std::string out;
  // Least recent first, so replaying the inserts in order rebuilds the recency list.
  index_.ForEachLeastToMostRecent([&](const Index::Entry& e) {
    EncodeJournalRecord(JournalRecord{.type = Type::kInsert, .key = e.key, .charge = e.charge}, &out);
  });
  // Writes whose insert record is in the journal being replaced (the others append theirs after
  // the switch), and deletions whose erase record is not written yet: keep both so the records that
  // follow make sense. After a crash, files that never appeared are dropped at start-up. Every
  // record here has a copy in the old journal, so a snapshot is never larger than what it replaces
  // (but for the clean mark, which UsedLocked reserves room for).
  for (const auto& [key, p] : pending_) {
    if (p.journaled) {
      EncodeJournalRecord(JournalRecord{.type = Type::kInsert, .key = key, .charge = p.charge}, &out);
    }
  }
  for (const auto& [key, charge] : releasing_) {
    EncodeJournalRecord(JournalRecord{.type = Type::kInsert, .key = key, .charge = charge}, &out);
  }
  return out;
}

// ---- Lifecycle -----------------------------------------------------------------------------------

void SsdTier::Flush() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return !loading_; });
  if (writers_running_) {
    cv_.wait(l, [&] { return queue_.empty() && busy_writers_ == 0; });
    return;
  }
  while (!queue_.empty()) {
    BlockKey key = std::move(queue_.front());
    queue_.pop_front();
    ++busy_writers_;
    l.unlock();
    WriteOne(key);
    l.lock();
    --busy_writers_;
  }
  cv_.wait(l, [&] { return busy_writers_ == 0; });
}

void SsdTier::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_ || stopping_) return;
    stopping_ = true;
  }
  abort_load_.store(true);
  cv_.notify_all();
  if (loader_.joinable()) loader_.join();
  for (std::thread& t : writers_) t.join();
  writers_.clear();
  {
    std::lock_guard<std::mutex> l(mu_);
    writers_running_ = false;
    loading_ = false;  // already false unless Open failed before the loader started
  }
  Flush();  // queued writes nobody took (no writer threads were started)
  if (journal_ != nullptr) {
    Status s = WriteSnapshot(/*clean=*/true);
    if (!s.ok()) {
      AVA_LOG(logger_, kWarn, "cache", "SSD tier {}: cannot write the index snapshot at stop: {}",
              options_.dir, s.ToString());
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  stopped_ = true;
  stopping_ = false;
}

}  // namespace ava::cache
