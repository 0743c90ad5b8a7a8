#include "fs/block_fetcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace ava::fs {

namespace {
Counter* MaybeCounter(MetricsRegistry* m, std::string_view name, std::string_view help) {
  return m == nullptr ? nullptr : &m->GetCounter(name, help);
}
void Add(Counter* c, uint64_t n = 1) {
  if (c != nullptr) c->Inc(n);
}
}  // namespace

BlockFetcher::BlockFetcher(FetcherConfig config, cache::TieredCache* cache, ThreadPool* pool,
                           MemoryBudget* budget, MetricsRegistry* metrics, Logger* logger)
    : config_(config), cache_(cache), pool_(pool), budget_(budget), logger_(logger) {
  requests_ = MaybeCounter(metrics, "avafs_fetch_requests_total", "Ranged GETs issued by the read path");
  fetched_bytes_ =
      MaybeCounter(metrics, "avafs_fetch_bytes_total", "Bytes fetched from stores by the read path");
  prefetched_blocks_ =
      MaybeCounter(metrics, "avafs_prefetch_blocks_total", "Blocks fetched ahead of readers");
  prefetch_skipped_ = MaybeCounter(metrics, "avafs_prefetch_skipped_total",
                                   "Prefetches skipped because the memory budget was full");
  fetch_errors_ = MaybeCounter(metrics, "avafs_fetch_errors_total", "Ranged GETs that failed");
}

uint64_t BlockFetcher::BlockCount(const ObjectVersion& obj) const {
  return (obj.size + config_.block_size - 1) / config_.block_size;
}

uint64_t BlockFetcher::BlockLength(const ObjectVersion& obj, uint64_t index) const {
  uint64_t start = index * config_.block_size;
  return std::min(config_.block_size, obj.size - start);
}

cache::BlockKey BlockFetcher::KeyFor(const ObjectVersion& obj, uint64_t index) const {
  return cache::BlockKey{obj.store_id, obj.key, obj.etag, index * config_.block_size,
                         static_cast<uint32_t>(BlockLength(obj, index))};
}

uint64_t BlockFetcher::Run::Bytes(const BlockFetcher& f, const ObjectVersion& obj) const {
  uint64_t end = std::min(obj.size, (last + 1) * f.config_.block_size);
  return end - first * f.config_.block_size;
}

BlockFetcher::Plan BlockFetcher::MakePlan(const ObjectVersion& obj, uint64_t first, uint64_t last,
                                          bool look_in_cache) {
  Plan plan;
  const uint64_t blocks_per_request = std::max<uint64_t>(1, config_.max_request_bytes / config_.block_size);
  std::vector<std::pair<uint64_t, cache::BlockKey>> candidates;
  for (uint64_t i = first; i <= last; ++i) {
    cache::BlockKey key = KeyFor(obj, i);
    if (look_in_cache) {
      if (auto data = cache_->Lookup(key)) {
        plan.hits.emplace_back(i, std::move(*data));
        continue;
      }
    } else if (cache_->Contains(key)) {
      continue;
    }
    candidates.emplace_back(i, std::move(key));
  }
  // A fetch that finished between the lookup above and taking the lock has already put its block
  // in the cache (ExecuteRun inserts before it leaves inflight_), so checking the cache again under
  // the lock means no block is ever fetched twice.
  while (!candidates.empty()) {
    std::vector<std::pair<uint64_t, cache::BlockKey>> recheck;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [i, key] : candidates) {
        auto it = inflight_.find(key);
        if (it != inflight_.end()) {
          plan.waits.emplace_back(i, it->second);
          continue;
        }
        if (cache_->Contains(key)) {
          if (look_in_cache) recheck.emplace_back(i, std::move(key));
          continue;
        }
        if (plan.runs.empty() || plan.runs.back().last + 1 != i ||
            plan.runs.back().last - plan.runs.back().first + 1 >= blocks_per_request) {
          plan.runs.push_back(Run{i, i, {}, {}});
        }
        Run& run = plan.runs.back();
        run.last = i;
        run.promises.emplace_back();
        run.futures.push_back(run.promises.back().get_future().share());
        inflight_.emplace(std::move(key), run.futures.back());
      }
    }
    candidates.clear();
    for (auto& [i, key] : recheck) {
      if (auto data = cache_->Lookup(key)) {
        plan.hits.emplace_back(i, std::move(*data));
      } else {
        candidates.emplace_back(i, std::move(key));  // evicted in between: plan it again
      }
    }
  }
  return plan;
}

void BlockFetcher::ExecuteRun(const ObjectVersion& obj, Run& run) {
  store::GetRequest req;
  req.key = obj.key;
  req.offset = run.first * config_.block_size;
  req.length = run.Bytes(*this, obj);
  req.if_match = obj.etag;
  Add(requests_);
  Result<store::GetResult> got = obj.store->Get(req);
  Status error;
  if (!got.ok()) {
    error = got.status().Annotate(fmt::format("GET {} {} bytes at {}", obj.key, *req.length, req.offset));
  } else if (got->data.size() != *req.length) {
    error =
        Status::IOError(fmt::format("GET {}: expected {} bytes at {}, the store sent {} (object changed?)",
                                    obj.key, *req.length, req.offset, got->data.size()));
  }
  if (!error.ok()) Add(fetch_errors_);
  if (error.ok()) Add(fetched_bytes_, got->data.size());

  std::vector<cache::BlockData> blocks;
  if (error.ok()) {
    std::string_view all(got->data);
    uint64_t pos = 0;
    for (uint64_t i = run.first; i <= run.last; ++i) {
      uint64_t len = BlockLength(obj, i);
      auto data = std::make_shared<const std::string>(all.substr(pos, len));
      pos += len;
      cache_->Insert(KeyFor(obj, i), data);
      blocks.push_back(std::move(data));
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint64_t i = run.first; i <= run.last; ++i) inflight_.erase(KeyFor(obj, i));
  }
  for (size_t j = 0; j < run.promises.size(); ++j) {
    if (error.ok()) {
      run.promises[j].set_value(blocks[j]);
    } else {
      run.promises[j].set_value(error);
    }
  }
}

Result<std::vector<cache::BlockData>> BlockFetcher::Get(const ObjectVersion& obj, uint64_t first,
                                                        uint64_t last) {
  uint64_t count = BlockCount(obj);
  if (count == 0 || first >= count) return std::vector<cache::BlockData>{};
  last = std::min(last, count - 1);
  Plan plan = MakePlan(obj, first, last, /*look_in_cache=*/true);

  uint64_t charge = 0;
  for (const Run& r : plan.runs) charge += r.Bytes(*this, obj);
  if (charge > 0) budget_->Acquire(charge);
  BudgetLease lease(budget_, charge);

  std::vector<std::pair<uint64_t, BlockFuture>> futures = std::move(plan.waits);
  // Runs after the first go to the pool; their futures are collected before any is awaited.
  auto shared_runs = std::make_shared<std::vector<Run>>(std::move(plan.runs));
  for (Run& r : *shared_runs) {
    for (uint64_t i = r.first; i <= r.last; ++i) futures.emplace_back(i, r.futures[i - r.first]);
  }
  for (size_t k = 1; k < shared_runs->size(); ++k) {
    auto task = [this, obj, shared_runs, k] { ExecuteRun(obj, (*shared_runs)[k]); };
    if (!pool_->Submit(task)) task();
  }
  if (!shared_runs->empty()) ExecuteRun(obj, (*shared_runs)[0]);

  std::vector<cache::BlockData> out(last - first + 1);
  for (auto& [i, data] : plan.hits) out[i - first] = std::move(data);
  for (auto& [i, fut] : futures) {
    const Result<cache::BlockData>& r = fut.get();
    if (!r.ok()) return r.status();
    out[i - first] = *r;
  }
  return out;
}

size_t BlockFetcher::Prefetch(const ObjectVersion& obj, uint64_t first, uint64_t last) {
  uint64_t count = BlockCount(obj);
  if (count == 0 || first >= count) return 0;
  last = std::min(last, count - 1);
  // Budget first, so nothing is registered as in flight that cannot be fetched.
  uint64_t want = (last - first + 1) * config_.block_size;
  want = std::min(want, obj.size - first * config_.block_size);
  if (!budget_->TryAcquire(want)) {
    Add(prefetch_skipped_);
    return 0;
  }
  Plan plan = MakePlan(obj, first, last, /*look_in_cache=*/false);
  uint64_t used = 0;
  size_t started = 0;
  for (Run& r : plan.runs) {
    uint64_t bytes = r.Bytes(*this, obj);
    used += bytes;
    started += r.last - r.first + 1;
    auto run = std::make_shared<Run>(std::move(r));
    auto task = [this, obj, run, bytes] {
      ExecuteRun(obj, *run);
      budget_->Release(bytes);
    };
    if (!pool_->Submit(task)) task();
  }
  budget_->Release(want - std::min(want, used));
  Add(prefetched_blocks_, started);
  return started;
}

Result<uint64_t> BlockFetcher::Warm(const ObjectVersion& obj) {
  const uint64_t count = BlockCount(obj);
  const uint64_t step = std::max<uint64_t>(1, config_.max_request_bytes / config_.block_size);
  uint64_t fetched = 0;
  uint64_t since_flush = 0;
  std::vector<BlockFuture> futures;
  for (uint64_t first = 0; first < count; first += step) {
    uint64_t last = std::min(count - 1, first + step - 1);
    // Looking blocks up (not just checking they are cached) brings blocks that are only on SSD
    // into RAM, so a warmed dataset is in the fastest tier that holds it.
    Plan plan = MakePlan(obj, first, last, /*look_in_cache=*/true);
    for (Run& r : plan.runs) {
      // The budget bounds how many runs are in flight; they go to the pool so one large file is
      // fetched as several parallel streams.
      uint64_t bytes = r.Bytes(*this, obj);
      budget_->Acquire(bytes);
      fetched += bytes;
      since_flush += bytes;
      futures.insert(futures.end(), r.futures.begin(), r.futures.end());
      auto run = std::make_shared<Run>(std::move(r));
      auto task = [this, obj, run, bytes] {
        ExecuteRun(obj, *run);
        budget_->Release(bytes);
      };
      if (!pool_->Submit(task)) task();
    }
    for (auto& [i, fut] : plan.waits) futures.push_back(fut);
    // Let the SSD tier keep up: a warm-up faster than the SSD writers would otherwise see blocks
    // dropped from the write queue, then evicted from RAM and fetched again by the first reader.
    if (since_flush >= kWarmFlushBytes) {
      for (auto& f : futures) f.wait();
      cache_->Flush();
      since_flush = 0;
    }
  }
  Status first_error;
  for (auto& f : futures) {
    const Result<cache::BlockData>& r = f.get();
    if (!r.ok() && first_error.ok()) first_error = r.status();
  }
  if (!first_error.ok()) return first_error;
  return fetched;
}

}  // namespace ava::fs
