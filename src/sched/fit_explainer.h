// Sentences for people about why a job waits or can never run:
//   "needs 8 GPUs on one node; the largest free block is 6 on node n3"
//   "needs 0.5 of one V100; the most free on any V100 is 0.3 (node v100-2)"
//   "needs 16 GPUs on one node; the largest node has 8 (a100-0)"
// Members are described from their Demand; model names come from the cluster.
//
// Thread safety: free functions over const state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sched/cluster.h"
#include "sched/demand.h"

namespace ava::sched {

// Why the gang cannot be placed on `cluster` as it is now.
std::string ExplainWaiting(const Cluster& cluster, const std::vector<Demand>& members);

// Why the gang could not be placed even on `empty` (the pool with nothing running), or nullopt
// when it could.
std::optional<std::string> ExplainNeverFits(const Cluster& empty, const std::vector<Demand>& members);

// "8 GPUs", "0.5 of one GPU", "2 V100|A100 GPUs, 16 CPUs".
std::string DescribeDemand(const Cluster& cluster, const Demand& d);

}  // namespace ava::sched
