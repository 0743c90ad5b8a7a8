// FifoPoolPlanner — TEMPORARY. A PoolPlanner built from the sched library's parts (Cluster, a
// placement Policy by name, PlaceGang, QuotaBook, the waiting-reason explainer) that places
// waiting jobs in order: higher priority first, then submit time. The first job that cannot start
// holds the line (no backfill, no fair share); jobs over a quota are passed over with the quota as
// their reason. A job that cannot start may preempt running jobs of strictly lower priority: the
// lowest priority and the most recently started go first, and of those taken, any whose GPUs turn
// out not to be needed are spared again (the rule of sched::Scheduler's preemption).
//
// Why it exists: sched::Scheduler (scheduler.h) is the real queue — fair share, backfill,
// preemption — but it cannot yet be told about jobs that already run at a known placement, nor have
// nodes come and go, and avad must rebuild the pool from the database whenever either happens (and
// after a restart). When the Scheduler can adopt running jobs, avad's planner becomes a thin
// wrapper over it and this class goes away. Placement decisions themselves are the library's: this
// file only orders the queue.
//
// Errors: Plan fails (InvalidArgument) only when the pool cannot be modelled (an invalid node
// inventory, more GPU models than the scheduler supports).
// Thread safety: none needed (one pass at a time).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/pool_planner.h"
#include "common/logging.h"
#include "sched/cluster.h"
#include "sched/demand.h"
#include "sched/policy.h"

namespace ava::api {

class FifoPoolPlanner final : public PoolPlanner {
 public:
  // `policy` names a sched placement policy (policy_factory.h); `logger` may be null.
  FifoPoolPlanner(std::string policy, uint64_t seed, Logger* logger)
      : policy_(std::move(policy)), seed_(seed), logger_(logger) {}
  Result<PoolPlan> Plan(const PoolState& state) override;

 private:
  struct Held;
  // Running jobs of priority below `priority` whose removal lets `demands` start; empty when none
  // suffices.
  static std::vector<Held*> FindVictims(const sched::Cluster& cluster, sched::Policy& policy,
                                        const std::vector<sched::Demand>& demands, int priority,
                                        std::vector<Held>& held);

  const std::string policy_;
  const uint64_t seed_;
  Logger* const logger_;
};

}  // namespace ava::api
