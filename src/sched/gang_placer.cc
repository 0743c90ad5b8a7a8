#include "sched/gang_placer.h"

#include <algorithm>
#include <numeric>

namespace ava::sched {

std::optional<GangPlacement> PlaceGang(Cluster& cluster, Policy& policy, const std::vector<Demand>& members) {
  std::vector<int> order(members.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (members[a].total_gpu_milli() != members[b].total_gpu_milli()) {
      return members[a].total_gpu_milli() > members[b].total_gpu_milli();
    }
    return members[a].cpu_milli > members[b].cpu_milli;
  });
  GangPlacement out(members.size());
  std::vector<int> done;
  for (const int i : order) {
    std::optional<Placement> p = policy.Place(cluster, members[i]);
    if (p.has_value() && cluster.Allocate(*p).ok()) {
      out[i] = *p;
      done.push_back(i);
      continue;
    }
    // Roll back in reverse order; these releases undo allocations just made, so they succeed.
    for (auto it = done.rbegin(); it != done.rend(); ++it) cluster.Release(out[*it]).IgnoreError();
    return std::nullopt;
  }
  return out;
}

Status ReleaseGang(Cluster& cluster, const GangPlacement& placement) {
  for (const Placement& p : placement) AVA_RETURN_IF_ERROR(cluster.Release(p));
  return Status::OK();
}

}  // namespace ava::sched
