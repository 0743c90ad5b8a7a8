// FragmentationCache: node fragmentation (node_fragmentation.h) memoised by node state. A node's
// fragmentation depends only on its GPU model, free CPU and the multiset of milli left on its GPUs,
// and pools are full of nodes in identical states, so scoring every node for every decision stays
// cheap. The cache is direct-mapped with exact keys: a hit returns exactly what the computation
// would, so caching never changes a placement.
//
// Also computes the fragmentation a node would have after a placement, without copying the node.
//
// Thread safety: not thread-safe (one per policy instance).
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "sched/cluster.h"
#include "sched/node_fragmentation.h"
#include "sched/workload_profile.h"

namespace ava::sched {

class FragmentationCache {
 public:
  explicit FragmentationCache(std::shared_ptr<const WorkloadProfile> profile, int log2_slots = 16);

  const WorkloadProfile& profile() const { return *profile_; }

  // F of the node as it is.
  double Now(const Cluster::Node& node) {
    return Lookup(node.model, node.cpu_left, node.sorted_left.data(), node.gpu_count);
  }
  // F after taking `d`: CPU-only and whole-GPU members on the free GPUs; a fraction from one GPU
  // that has `from_left` milli left. REQUIRES: `d` fits that way.
  double After(const Cluster::Node& node, const Demand& d, int from_left = 1000);

  // F for an explicit state; gpu_left sorted largest first.
  double Lookup(int model, int64_t cpu_left, const int16_t* sorted_left, int gpu_count);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    std::array<uint64_t, 5>
        key{};  // packed GPU lefts (3 words), cpu_left, model/count; key[4] == 0 means empty
    double value = 0;
  };

  std::shared_ptr<const WorkloadProfile> profile_;
  std::vector<Slot> slots_;
  uint64_t mask_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace ava::sched
