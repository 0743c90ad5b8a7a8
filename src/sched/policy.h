// Policy: where one member of a job goes — which node, and which GPUs on it. Every placement
// strategy of Ava sits behind this one interface (first-fit, best-fit, spread, packing, topology,
// fragmentation-aware, …; policy_factory.h lists them), so the Scheduler, the Kubernetes extender
// and the simulator can swap them by name.
//
// Most policies score each node that fits and take the highest score; ScoringPolicy implements that
// loop once: nodes are visited in rank order (Cluster::order) and a tie keeps the earlier node, so
// the result is deterministic for a given cluster state (and seed, for the random policy).
//
// Thread safety: a Policy may keep caches and random state; use one instance per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sched/cluster.h"
#include "sched/demand.h"
#include "sched/placement.h"

namespace ava::sched {

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  // A node that fits `demand` and the GPUs to use on it; nullopt when no node fits now. Reads
  // `cluster` only.
  virtual std::optional<Placement> Place(const Cluster& cluster, const Demand& demand) = 0;
};

class ScoringPolicy : public Policy {
 public:
  std::optional<Placement> Place(const Cluster& cluster, const Demand& demand) override;

 protected:
  // How good node `n` is for `d` (higher is better). Called only for nodes where `d` fits.
  virtual double Score(const Cluster& cluster, int n, const Demand& d) = 0;
  // The GPUs of the chosen node that take `d`. Default: a fraction goes to the GPU with the least
  // milli left that still fits (lowest index on ties); whole GPUs are the lowest-index free ones.
  virtual uint32_t ChooseGpus(const Cluster& cluster, int n, const Demand& d);
  // Called once before the nodes of one decision are scored.
  virtual void BeginDecision(const Cluster& /*cluster*/, const Demand& /*d*/) {}
};

// GPU choices shared by the policies. REQUIRES: `d` fits on `node`.
uint32_t LowestFreeGpus(const Cluster::Node& node, int k);
uint32_t BestFitGpu(const Cluster::Node& node, int milli);
// The whole-GPU set with the best topology score (topology_score.h), or BestFitGpu for a fraction.
uint32_t TopologyAwareGpus(const Cluster::Node& node, const Demand& d);

// A Placement of `d` on node `n` using `gpu_mask`.
Placement MakePlacement(int n, uint32_t gpu_mask, const Demand& d);

}  // namespace ava::sched
