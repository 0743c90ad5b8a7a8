// BestFitPolicy: the node left with the least free resources after the placement, CPU and GPU
// weighted equally, each normalised by the largest node of the pool:
//   s = ((cpu_left - cpu) / max_cpu) * 0.5 + ((gpu_left - gpu) / max_gpu) * 0.5
//   score = trunc((1 - s) * 100)
// This is the BestFit baseline of the FGD paper (ATC'23) exactly, including the integer score
// (ties then go to the lower rank); on the openb cluster max_cpu = 128 cores, max_gpu = 8 GPUs.
//
// Thread safety: stateless.
#pragma once

#include "sched/policy.h"

namespace ava::sched {

class BestFitPolicy final : public ScoringPolicy {
 public:
  std::string_view name() const override { return "best-fit"; }

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
};

// Spread (least allocated): the node left with the MOST free resources after the placement, same
// normalisation as best-fit, without truncation. Spreads load and heat; fragments the pool.
class SpreadPolicy final : public ScoringPolicy {
 public:
  std::string_view name() const override { return "spread"; }

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
};

}  // namespace ava::sched
