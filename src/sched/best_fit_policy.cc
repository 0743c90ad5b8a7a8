#include "sched/best_fit_policy.h"

namespace ava::sched {

double BestFitPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  // Same operation order as the published plugin, so integer truncation lands identically.
  double s = 0;
  s += static_cast<double>(node.cpu_left - d.cpu_milli) / static_cast<double>(cluster.max_node_cpu_milli()) *
       0.5;
  s += static_cast<double>(node.gpu_left_total - d.total_gpu_milli()) /
       static_cast<double>(cluster.max_node_gpus() * 1000) * 0.5;
  return static_cast<double>(static_cast<int64_t>((1.0 - s) * 100.0));
}

double SpreadPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  const double max_gpu = cluster.max_node_gpus() > 0 ? cluster.max_node_gpus() * 1000.0 : 1.0;
  return static_cast<double>(node.cpu_left - d.cpu_milli) /
             static_cast<double>(cluster.max_node_cpu_milli()) * 0.5 +
         static_cast<double>(node.gpu_left_total - d.total_gpu_milli()) / max_gpu * 0.5;
}

}  // namespace ava::sched
