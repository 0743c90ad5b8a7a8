#include "cache/tiered_cache.h"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "cache/ram_tier.h"
#include "cache/ssd_tier.h"
#include "cache/tier_metrics.h"
#include "common/thread_annotations.h"

namespace ava::cache {

namespace {

class TieredCacheImpl final : public TieredCache {
 public:
  TieredCacheImpl(const CacheConfig& config, const CacheEnv& env)
      : config_(config), env_(env), ram_metrics_(env.metrics, "ram"), ssd_metrics_(env.metrics, "ssd") {}

  ~TieredCacheImpl() override {
    if (env_.metrics != nullptr) env_.metrics->RemoveCallbacks(this);
    Stop();
  }

  Status Init() {
    if (env_.disk == nullptr) {
      owned_disk_ = NewPosixDisk();
      env_.disk = owned_disk_.get();
    }
    if (config_.ram.capacity_bytes > 0) {
      ram_ = std::make_unique<RamTier>(config_.ram, &ram_metrics_, [this] { SignalEvictor(); });
    }
    if (config_.ssd.capacity_bytes > 0) {
      SsdTierOptions options{.dir = config_.ssd_dir,
                             .tier = config_.ssd,
                             .fsync = config_.ssd_fsync,
                             .writer_threads = config_.ssd_writer_threads,
                             .write_queue_bytes = config_.ssd_write_queue_bytes,
                             .journal_compact_min_bytes = config_.ssd_journal_compact_min_bytes};
      SsdTierDeps deps{.disk = env_.disk,
                       .clock = env_.clock,
                       .logger = env_.logger,
                       .metrics = &ssd_metrics_,
                       .on_high = [this] { SignalEvictor(); },
                       .before_index_load = env_.before_index_load};
      AVA_ASSIGN_OR_RETURN(ssd_, SsdTier::Open(options, deps));
    }
    RegisterGauges();
    return Status::OK();
  }

  std::optional<BlockData> Lookup(const BlockKey& key) override {
    if (ram_) {
      if (std::optional<BlockData> hit = ram_->Lookup(key)) return hit;
    }
    if (ssd_) {
      if (std::optional<BlockData> hit = ssd_->Lookup(key)) {
        if (ram_) ram_->Insert(key, *hit);  // promotion; the SSD copy stays (inclusive tiers)
        return hit;
      }
    }
    return std::nullopt;
  }

  bool Contains(const BlockKey& key) override {
    return (ram_ && ram_->Contains(key)) || (ssd_ && ssd_->Contains(key));
  }

  void Insert(const BlockKey& key, BlockData data) override {
    if (data == nullptr || data->size() != key.length) {
      AVA_LOG(env_.logger, kWarn, "cache", "not caching {}: block holds {} bytes, its key says {}",
              key.ToString(), data == nullptr ? 0 : data->size(), key.length);
      return;
    }
    if (ram_) ram_->Insert(key, data);
    if (ssd_) ssd_->Submit(key, std::move(data));
  }

  CacheStats Stats() const override {
    CacheStats s;
    if (ram_) {
      ram_->FillStats(&s.ram);
    } else {
      ram_metrics_.Fill(&s.ram);
      s.ram.enabled = false;
    }
    if (ssd_) {
      ssd_->FillStats(&s.ssd);
    } else {
      ssd_metrics_.Fill(&s.ssd);
      s.ssd.enabled = false;
    }
    return s;
  }

  void EvictOnce() override {
    if (ram_) ram_->EvictOnce();
    if (ssd_) ssd_->EvictOnce();
  }

  void Start() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (evictor_.joinable() || stopped_) return;
      evictor_ = std::thread([this] { EvictorLoop(); });
    }
    if (ssd_) ssd_->StartWriters();
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_all();
    if (evictor_.joinable()) evictor_.join();
    if (ssd_) ssd_->Stop();
  }

  void Flush() override {
    if (ssd_) ssd_->Flush();
  }

 private:
  void SignalEvictor() {
    {
      std::lock_guard<std::mutex> l(mu_);
      signalled_ = true;
    }
    cv_.notify_one();
  }

  void EvictorLoop() {
    std::unique_lock<std::mutex> l(mu_);
    while (!stopped_) {
      // A real-time wait: the interval paces a background thread; nothing measures it.
      cv_.wait_for(l, config_.evict_interval, [&] { return stopped_ || signalled_; });
      if (stopped_) break;
      signalled_ = false;
      l.unlock();
      EvictOnce();
      l.lock();
    }
  }

  void RegisterGauges() {
    MetricsRegistry* m = env_.metrics;
    if (m == nullptr) return;
    auto used = [](auto* tier) {
      return [tier] { return tier ? static_cast<double>(tier->used_bytes()) : 0.0; };
    };
    m->AddCallbackGauge("avafs_cache_used_bytes", "Bytes the tier uses, blocks and metadata",
                        {{"tier", "ram"}}, used(ram_.get()), this);
    m->AddCallbackGauge("avafs_cache_used_bytes", "Bytes the tier uses, blocks and metadata",
                        {{"tier", "ssd"}}, used(ssd_.get()), this);
    m->AddCallbackGauge(
        "avafs_cache_capacity_bytes", "Configured capacity of the tier", {{"tier", "ram"}},
        [c = config_.ram.capacity_bytes] { return static_cast<double>(c); }, this);
    m->AddCallbackGauge(
        "avafs_cache_capacity_bytes", "Configured capacity of the tier", {{"tier", "ssd"}},
        [c = config_.ssd.capacity_bytes] { return static_cast<double>(c); }, this);
    m->AddCallbackGauge(
        "avafs_cache_ssd_enabled", "1 while the SSD tier accepts writes, 0 when off or disabled", {},
        [s = ssd_.get()] { return s != nullptr && s->enabled() ? 1.0 : 0.0; }, this);
  }

  const CacheConfig config_;
  CacheEnv env_;
  std::unique_ptr<LocalDisk> owned_disk_;
  TierMetrics ram_metrics_;
  TierMetrics ssd_metrics_;
  std::unique_ptr<RamTier> ram_;  // null when ram.capacity_bytes == 0
  std::unique_ptr<SsdTier> ssd_;  // null when ssd.capacity_bytes == 0

  // Guards the evictor's lifecycle and wake-ups only; never held while a tier lock is taken.
  std::mutex mu_;
  std::condition_variable cv_;
  bool signalled_ GUARDED_BY(mu_) = false;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::thread evictor_;
};

}  // namespace

Result<std::unique_ptr<TieredCache>> TieredCache::Open(const CacheConfig& config, const CacheEnv& env) {
  AVA_RETURN_IF_ERROR(config.Validate());
  if (env.clock == nullptr) return Status::InvalidArgument("CacheEnv.clock is required");
  auto cache = std::make_unique<TieredCacheImpl>(config, env);
  AVA_RETURN_IF_ERROR(cache->Init());
  return std::unique_ptr<TieredCache>(std::move(cache));
}

}  // namespace ava::cache
