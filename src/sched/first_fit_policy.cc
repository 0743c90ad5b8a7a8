#include "sched/first_fit_policy.h"

namespace ava::sched {

std::optional<Placement> FirstFitPolicy::Place(const Cluster& cluster, const Demand& d) {
  for (const int n : cluster.order()) {
    if (cluster.Fits(n, d)) return MakePlacement(n, d.gpus > 0 ? ChooseGpus(cluster, n, d) : 0, d);
  }
  return std::nullopt;
}

}  // namespace ava::sched
