// PoolPlanner: what avad asks of a scheduler on every scheduling pass. avad keeps no scheduler
// state of its own between passes: each pass rebuilds the pool from the database (the nodes that
// are up and not drained, the jobs that hold GPUs at their stored placements, the waiting jobs in
// submit order, the quotas) and asks the planner which waiting jobs start where, which running jobs
// to preempt for them, and why each remaining job waits. A restarted avad therefore continues
// exactly where it stopped.
//
// Implementations: SchedulerPoolPlanner (scheduler_pool_planner.h), over sched::Scheduler; tests
// script their own.
//
// Thread safety: Plan() is called by one scheduling pass at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/assignment.h"
#include "common/clock.h"
#include "common/result.h"
#include "gpu/inventory.h"
#include "sched/quota.h"
#include "sched/request.h"

namespace ava::api {

// A job as the planner sees it.
struct PoolJob {
  int64_t id = 0;
  std::string user;
  std::string group;  // "" when the job has no group
  int priority = 0;
  sched::Request member;  // what each gang member asks for
  int gang = 1;
  Nanos submitted{0};  // wall time
  Nanos started{0};    // wall time it was placed (holding jobs); ties among victims go to the newest
  // For jobs that hold resources: where their members run (nodes may be absent from the pool
  // when down or drained; those members still count against quotas).
  std::vector<MemberAssignment> placement;
};

struct PoolState {
  gpu::Inventory pool;           // nodes that are up and not drained
  std::vector<PoolJob> holding;  // scheduled and running jobs
  std::vector<PoolJob> waiting;  // queued jobs, in submit order
  sched::QuotaConfig quotas;
};

struct PoolPlan {
  struct Start {
    int64_t job_id = 0;
    std::vector<MemberAssignment> members;  // in rank order
  };
  struct Preempt {
    int64_t job_id = 0;     // a holding job to stop
    int64_t by_job_id = 0;  // the job it makes room for
  };
  struct Waiting {
    int64_t job_id = 0;
    int position = 0;  // 1-based
    std::string reason;
  };
  struct ModelUsage {
    int64_t total_milli = 0;
    int64_t allocated_milli = 0;
  };
  std::vector<Start> start;
  std::vector<Preempt> preempt;
  std::vector<Waiting> waiting;              // every waiting job left, in queue order
  std::map<std::string, ModelUsage> models;  // the pool after the plan, by GPU model
};

class PoolPlanner {
 public:
  virtual ~PoolPlanner() = default;
  virtual Result<PoolPlan> Plan(const PoolState& state) = 0;
};

}  // namespace ava::api
