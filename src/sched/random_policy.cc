#include "sched/random_policy.h"

namespace ava::sched {

uint64_t RandomPolicy::Below(uint64_t n) {
  const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % n);
  uint64_t v;
  do {
    v = rng_();
  } while (v >= limit);
  return v % n;
}

std::optional<Placement> RandomPolicy::Place(const Cluster& cluster, const Demand& d) {
  feasible_.clear();
  for (const int n : cluster.order()) {
    if (cluster.Fits(n, d)) feasible_.push_back(n);
  }
  if (feasible_.empty()) return std::nullopt;
  const int n = feasible_[Below(feasible_.size())];
  const Cluster::Node& node = cluster.node(n);
  uint32_t mask = 0;
  if (d.fractional()) {
    int candidates[kMaxGpus], count = 0;
    for (int g = 0; g < node.gpu_count; ++g) {
      if (node.gpu_left[g] >= d.milli) candidates[count++] = g;
    }
    mask = uint32_t{1} << candidates[Below(count)];
  } else if (d.gpus > 0) {
    mask = LowestFreeGpus(node, d.gpus);
  }
  return MakePlacement(n, mask, d);
}

}  // namespace ava::sched
