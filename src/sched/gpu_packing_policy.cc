#include "sched/gpu_packing_policy.h"

#include <algorithm>

namespace ava::sched {

int GpuPackingPolicy::PackingScore(const Cluster::Node& node, const Demand& d) {
  if (d.total_gpu_milli() <= 0) return 0;
  if (node.free_gpus == node.gpu_count)
    return std::max(33 - node.gpu_count, static_cast<int>(node.gpu_count));
  // Ascending milli left; sorted_left is descending, so walk it backwards (index order among
  // equal values does not change the score).
  int need = d.gpus, free_used = 0, left_sum_pct = 0;
  for (int i = node.gpu_count - 1; i >= 0 && need > 0; --i) {
    const int left = node.sorted_left[i];
    if (left >= d.milli) {
      --need;
      if (left == 1000) ++free_used;
      left_sum_pct += left * 100 / 1000;
    }
  }
  if (free_used > 0) return std::max(50 - free_used, 33);
  return std::max(100 - left_sum_pct / 10, 50);
}

double GpuPackingPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  return PackingScore(cluster.node(n), d);
}

}  // namespace ava::sched
