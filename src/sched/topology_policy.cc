#include "sched/topology_policy.h"

#include "sched/gpu_packing_policy.h"
#include "sched/topology_score.h"

namespace ava::sched {

double TopologyQuality(const Cluster::Node& node, const Demand& d) {
  if (d.fractional() || d.gpus < 2) return 1.0;
  const int ideal = BestPossibleAffinity(*node.topology, d.gpus);
  if (ideal <= 0) return 1.0;
  return static_cast<double>(SetAffinity(*node.topology, TopologyAwareGpus(node, d))) / ideal;
}

double TopologyPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  return TopologyQuality(node, d) * 1000.0 + GpuPackingPolicy::PackingScore(node, d);
}

uint32_t TopologyPolicy::ChooseGpus(const Cluster& cluster, int n, const Demand& d) {
  return TopologyAwareGpus(cluster.node(n), d);
}

}  // namespace ava::sched
