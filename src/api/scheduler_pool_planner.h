// SchedulerPoolPlanner: avad's PoolPlanner over sched::Scheduler, the scheduler library's queue
// (quotas per user, group and model; priority then fair share between groups; preemption of
// lower-priority work; EASY backfill; a reason for every waiting job). avad keeps its state in the
// database, so each pass builds a Scheduler for the pool as it is now: holding jobs are adopted at
// their stored placements, waiting jobs are submitted with their original submit times, and one
// Schedule() gives the starts, the preemptions and the queue.
//
// A waiting job the Scheduler refuses in this pass (its GPU model's nodes are down, it no longer
// fits any node that is up) stays queued with the refusal as its reason.
//
// Errors: Plan fails (InvalidArgument) only when the pool cannot be modelled (an invalid node
// inventory). Thread safety: one Plan() at a time.
#pragma once

#include <string>

#include "api/pool_planner.h"
#include "common/clock.h"
#include "common/logging.h"
#include "sched/scheduler.h"

namespace ava::api {

class SchedulerPoolPlanner final : public PoolPlanner {
 public:
  // `options` give the policy, queue order, backfill and preemption; quotas come from each
  // PoolState. `clock` is avad's; `logger` may be null.
  SchedulerPoolPlanner(sched::SchedulerOptions options, Clock* clock, Logger* logger)
      : options_(std::move(options)), clock_(clock), logger_(logger) {}
  Result<PoolPlan> Plan(const PoolState& state) override;

 private:
  const sched::SchedulerOptions options_;
  Clock* const clock_;
  Logger* const logger_;
};

}  // namespace ava::api
