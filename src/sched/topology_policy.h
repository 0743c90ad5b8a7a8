// TopologyPolicy: for jobs that use several GPUs of one machine, the node where the best free GPU
// set has the best links (topology_score.h: NVLink > one PCIe switch > one socket > across
// sockets), measured against the best set an empty node of that shape could offer; among equally
// good nodes, packing (gpu_packing_policy.h) keeps whole machines free. The GPUs taken are that
// best set. Single-GPU and fractional members are placed by packing alone.
//
// Thread safety: stateless.
#pragma once

#include "sched/policy.h"

namespace ava::sched {

class TopologyPolicy final : public ScoringPolicy {
 public:
  std::string_view name() const override { return "topology"; }

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
  uint32_t ChooseGpus(const Cluster& cluster, int n, const Demand& d) override;
};

// 0..1: how close the best free k-GPU set of `node` comes to the best set of an empty node of its
// shape (1 when k < 2 or the node's GPUs are all alike).
double TopologyQuality(const Cluster::Node& node, const Demand& d);

}  // namespace ava::sched
