#include "sched/fgd_policy.h"

#include <cmath>

namespace ava::sched {

int FgdPolicy::GradientScore(double f_before, double f_after) {
  const double x = (f_before - f_after) / 1000;
  return static_cast<int>(static_cast<int64_t>(1.0 / (1.0 + std::exp(-x)) * 100.0));
}

double FgdPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  const double before = frag_.Now(node);
  if (!d.fractional()) return GradientScore(before, frag_.After(node, d));
  // One candidate per distinct milli-left value: GPUs holding the same amount score the same.
  int best = -1;
  int previous = -1;
  for (int i = 0; i < node.gpu_count; ++i) {
    const int left = node.sorted_left[i];
    if (left < d.milli) break;
    if (left == previous) continue;
    previous = left;
    best = std::max(best, GradientScore(before, frag_.After(node, d, left)));
  }
  return best;
}

uint32_t FgdPolicy::ChooseGpus(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  if (!d.fractional()) return LowestFreeGpus(node, d.gpus);
  const double before = frag_.Now(node);
  int best_gpu = -1, best = -1;
  for (int g = 0; g < node.gpu_count; ++g) {
    if (node.gpu_left[g] < d.milli) continue;
    const int s = GradientScore(before, frag_.After(node, d, node.gpu_left[g]));
    if (s > best) {
      best = s;
      best_gpu = g;
    }
  }
  return uint32_t{1} << best_gpu;
}

}  // namespace ava::sched
