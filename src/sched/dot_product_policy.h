// DotProductPolicy: Tetris-style alignment (Grandl et al., SIGCOMM'14) as configured in the FGD
// paper's baseline: the node whose free (CPU, GPU) vector has the smallest dot product with the
// request, both normalised by the largest node:
//   dot = (cpu_left/max_cpu)*(cpu/max_cpu) + (gpu_left/max_gpu)*(gpu/max_gpu)
//   score = trunc(100 * (1 - dot/2))
//
// Thread safety: stateless.
#pragma once

#include "sched/policy.h"

namespace ava::sched {

class DotProductPolicy final : public ScoringPolicy {
 public:
  std::string_view name() const override { return "dot-product"; }

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
};

}  // namespace ava::sched
