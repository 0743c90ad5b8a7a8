// FgdPolicy: Fragmentation Gradient Descent (Weng et al., "Beware of Fragmentation", USENIX ATC'23).
// Each node is scored by how much the placement would grow its fragmentation against the usual
// workload (node_fragmentation.h):
//   score = trunc(100 * sigmoid((F_before - F_after) / 1000))
// and the node with the highest score wins, ties to the lower rank. A fraction is tried on every
// GPU with room and the node keeps its best GPU (lowest index on ties); whole GPUs are the
// lowest-index free ones. This reproduces the published FGD plugin placement for placement.
//
// Thread safety: holds a cache; one instance per thread.
#pragma once

#include <memory>

#include "sched/fragmentation_cache.h"
#include "sched/policy.h"

namespace ava::sched {

class FgdPolicy final : public ScoringPolicy {
 public:
  explicit FgdPolicy(std::shared_ptr<const WorkloadProfile> profile) : frag_(std::move(profile)) {}
  std::string_view name() const override { return "fgd"; }

  // trunc(100 * sigmoid(delta / 1000)).
  static int GradientScore(double f_before, double f_after);

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
  uint32_t ChooseGpus(const Cluster& cluster, int n, const Demand& d) override;

 private:
  FragmentationCache frag_;
};

}  // namespace ava::sched
