// GpuClusteringPolicy: keep jobs of one shape together, so machines serving fractions and machines
// serving whole GPUs stay apart (the GpuClustering baseline of the FGD paper). The shape of a
// member is "fraction" or "k GPUs". With base = floor(25 * (max_gpu - gpu_left) / max_gpu):
//   the node runs only this shape → base + 75; this shape and others → base + 50;
//   nothing → base + 25; only other shapes → base. CPU-only members score 0.
//
// Thread safety: stateless.
#pragma once

#include "sched/policy.h"

namespace ava::sched {

class GpuClusteringPolicy final : public ScoringPolicy {
 public:
  std::string_view name() const override { return "gpu-clustering"; }

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
};

}  // namespace ava::sched
