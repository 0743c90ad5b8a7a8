// GpuPackingPolicy: packing that keeps whole machines free. A node's score, highest first:
//   1. the member fits on GPUs already in use (a fraction on a partly used GPU):
//      100 - (milli left on that GPU)/100, at least 50 — the fuller the GPU, the better;
//   2. the node is in use but the member needs free GPUs there: 50 - free GPUs taken, at least 33;
//   3. the node is entirely free: max(33 - its GPUs, its GPUs) — so big empty machines come last.
// GPUs are taken in ascending order of milli left. CPU-only members score 0 everywhere. This is the
// GpuPacking baseline of the FGD paper exactly; with two 8-GPU machines, one with 2 GPUs taken, a
// 2-GPU job scores 48 on the used one and 25 on the empty one, which stays whole for an 8-GPU job.
//
// Thread safety: stateless.
#pragma once

#include "sched/policy.h"

namespace ava::sched {

class GpuPackingPolicy final : public ScoringPolicy {
 public:
  std::string_view name() const override { return "gpu-packing"; }

  // The score above, for one node (exposed for policies that combine it).
  static int PackingScore(const Cluster::Node& node, const Demand& d);

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
};

}  // namespace ava::sched
