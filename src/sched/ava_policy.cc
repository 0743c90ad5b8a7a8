#include "sched/ava_policy.h"

namespace ava::sched {

double AvaPolicy::Delta(const Cluster::Node& node, const Demand& d, int from_left) {
  return frag_.Now(node) - frag_.After(node, d, from_left);
}

double AvaPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  (void)cluster;
  const Cluster::Node& node = cluster.node(n);
  if (!d.fractional()) return Delta(node, d, 1000);
  double best = -1e300;
  int previous = -1;
  for (int i = 0; i < node.gpu_count; ++i) {
    const int left = node.sorted_left[i];
    if (left < d.milli) break;
    if (left == previous) continue;
    previous = left;
    best = std::max(best, Delta(node, d, left));
  }
  return best;
}

uint32_t AvaPolicy::ChooseGpus(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  if (!d.fractional()) return TopologyAwareGpus(node, d);
  int best_gpu = -1;
  double best = -1e300;
  for (int g = 0; g < node.gpu_count; ++g) {
    if (node.gpu_left[g] < d.milli) continue;
    const double s = Delta(node, d, node.gpu_left[g]);
    if (s > best) {
      best = s;
      best_gpu = g;
    }
  }
  return uint32_t{1} << best_gpu;
}

}  // namespace ava::sched
