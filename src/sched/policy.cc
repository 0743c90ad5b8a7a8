#include "sched/policy.h"

#include "sched/topology_score.h"

namespace ava::sched {

std::optional<Placement> ScoringPolicy::Place(const Cluster& cluster, const Demand& d) {
  BeginDecision(cluster, d);
  int best = -1;
  double best_score = 0;
  for (const int n : cluster.order()) {
    if (!cluster.Fits(n, d)) continue;
    const double s = Score(cluster, n, d);
    if (best < 0 || s > best_score) {
      best = n;
      best_score = s;
    }
  }
  if (best < 0) return std::nullopt;
  return MakePlacement(best, d.gpus > 0 ? ChooseGpus(cluster, best, d) : 0, d);
}

uint32_t ScoringPolicy::ChooseGpus(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  return d.fractional() ? BestFitGpu(node, d.milli) : LowestFreeGpus(node, d.gpus);
}

uint32_t LowestFreeGpus(const Cluster::Node& node, int k) {
  uint32_t mask = 0;
  for (int g = 0; g < node.gpu_count && k > 0; ++g) {
    if (node.gpu_left[g] == 1000) {
      mask |= uint32_t{1} << g;
      --k;
    }
  }
  return mask;
}

uint32_t BestFitGpu(const Cluster::Node& node, int milli) {
  int best = -1;
  for (int g = 0; g < node.gpu_count; ++g) {
    if (node.gpu_left[g] >= milli && (best < 0 || node.gpu_left[g] < node.gpu_left[best])) best = g;
  }
  return best < 0 ? 0 : uint32_t{1} << best;
}

uint32_t TopologyAwareGpus(const Cluster::Node& node, const Demand& d) {
  if (d.fractional()) return BestFitGpu(node, d.milli);
  if (d.gpus == 1) return LowestFreeGpus(node, 1);
  uint32_t free_mask = 0;
  for (int g = 0; g < node.gpu_count; ++g) {
    if (node.gpu_left[g] == 1000) free_mask |= uint32_t{1} << g;
  }
  return BestGpuSet(*node.topology, free_mask, d.gpus);
}

Placement MakePlacement(int n, uint32_t gpu_mask, const Demand& d) {
  Placement p;
  p.node = n;
  p.gpu_mask = gpu_mask;
  p.gpu_milli = gpu_mask != 0 ? d.milli : 0;
  p.cpu_milli = d.cpu_milli;
  p.memory_bytes = d.memory_bytes;
  return p;
}

}  // namespace ava::sched
