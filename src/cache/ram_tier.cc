#include "cache/ram_tier.h"

#include <vector>

#include "cache/tiered_cache.h"

namespace ava::cache {

namespace {

// make_shared<std::string>: the control block (two counts, vptr) beside the string object.
constexpr uint64_t kSharedStringOverhead = sizeof(std::string) + 2 * sizeof(long) + sizeof(void*);

}  // namespace

RamTier::RamTier(const TierConfig& config, TierMetrics* metrics, std::function<void()> on_high)
    : config_(config), metrics_(metrics), on_high_(std::move(on_high)) {}

uint64_t RamTier::Charge(const BlockKey& key, const BlockData& data) {
  return data->capacity() + kSharedStringOverhead + LruIndex<BlockData>::EntryMetadataBytes(key);
}

std::optional<BlockData> RamTier::Lookup(const BlockKey& key) {
  std::optional<BlockData> out;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (auto* e = index_.FindAndTouch(key)) out = e->value;
  }
  if (out) {
    metrics_->Hit((*out)->size());
  } else {
    metrics_->Miss();
  }
  return out;
}

bool RamTier::Contains(const BlockKey& key) const {
  std::lock_guard<std::mutex> l(mu_);
  return index_.Find(key) != nullptr;
}

void RamTier::Insert(const BlockKey& key, BlockData data) {
  uint64_t charge = Charge(key, data);
  if (charge > config_.capacity_bytes) return;  // larger than the whole tier: not admitted
  std::vector<BlockData> released;
  bool above_high = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (index_.FindAndTouch(key) != nullptr) return;
    // Hard limit: make room first, so usage never exceeds capacity.
    EvictToLocked(config_.capacity_bytes - charge, &released);
    index_.Insert(key, charge, std::move(data));
    above_high = static_cast<double>(index_.total_charge()) >
                 static_cast<double>(config_.capacity_bytes) * config_.high_watermark;
  }
  metrics_->Insert(charge);
  if (above_high && on_high_) on_high_();
}

void RamTier::EvictOnce() {
  std::vector<BlockData> released;
  std::lock_guard<std::mutex> l(mu_);
  double cap = static_cast<double>(config_.capacity_bytes);
  if (static_cast<double>(index_.total_charge()) <= cap * config_.high_watermark) return;
  EvictToLocked(static_cast<uint64_t>(cap * config_.low_watermark), &released);
}

void RamTier::EvictToLocked(uint64_t target, std::vector<BlockData>* released) {
  while (index_.total_charge() > target) {
    std::optional<LruIndex<BlockData>::Entry> e = index_.PopLeastRecent();
    if (!e) break;
    metrics_->Evict(e->charge);
    released->push_back(std::move(e->value));
  }
}

uint64_t RamTier::used_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return index_.total_charge();
}

void RamTier::FillStats(TierStats* s) const {
  metrics_->Fill(s);
  std::lock_guard<std::mutex> l(mu_);
  s->capacity_bytes = config_.capacity_bytes;
  s->used_bytes = index_.total_charge();
  s->blocks = index_.size();
}

}  // namespace ava::cache
