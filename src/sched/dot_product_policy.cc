#include "sched/dot_product_policy.h"

namespace ava::sched {

double DotProductPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  const double max_cpu = static_cast<double>(cluster.max_node_cpu_milli());
  const double max_gpu = static_cast<double>(cluster.max_node_gpus() * 1000);
  double dot = 0;
  dot += (static_cast<double>(node.cpu_left) / max_cpu) * (static_cast<double>(d.cpu_milli) / max_cpu);
  dot += (static_cast<double>(node.gpu_left_total) / max_gpu) *
         (static_cast<double>(d.total_gpu_milli()) / max_gpu);
  dot /= 2;
  return static_cast<double>(static_cast<int64_t>(100.0 * (1 - dot)));
}

}  // namespace ava::sched
