#include "sched/gpu_clustering_policy.h"

namespace ava::sched {

double GpuClusteringPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  if (d.total_gpu_milli() <= 0) return 0;
  const Cluster::Node& node = cluster.node(n);
  const int max_gpu = cluster.max_node_gpus() * 1000;
  const int base = 25 * (max_gpu - node.gpu_left_total) / max_gpu;
  const int shape = d.fractional() ? 0 : d.gpus;
  bool same = false, other = false;
  for (int s = 0; s <= kMaxGpus; ++s) {
    if (node.residents[s] == 0) continue;
    (s == shape ? same : other) = true;
  }
  if (same) return base + (other ? 50 : 75);
  return base + (other ? 0 : 25);
}

}  // namespace ava::sched
