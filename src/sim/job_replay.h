// ReplayJobs: a job-level replay of a JobTrace through sched::Scheduler on a pool, with simulated
// time (a FakeClock): jobs arrive, wait in the queue, start where the placement policy puts them
// and end after their runtime; the scheduler runs after every batch of events at one instant.
// Reports average and p95 job completion time (end − submit) and queueing delay (first start −
// submit) over the completed jobs, and GPU utilisation (allocated GPU-time / pool GPU-time from the
// first arrival to the last completion).
//
// Queue policies: "fifo" (submit order, strict: nothing passes a job that cannot start), "sjf"
// (shortest expected runtime first, any job that fits starts) and "ava" (priority, then fair share
// between groups, EASY backfill, preemption). All use the same placement policy and, with
// quotas on, the same per-group GPU quotas (the group's share of the pool × quota_scale).
// A preempted job restarts from the beginning.
//
// Errors: InvalidArgument for an unknown queue policy; Scheduler creation errors.
// Thread safety: free function; deterministic.
#pragma once

#include <string>

#include "common/result.h"
#include "gpu/inventory.h"
#include "sim/job_trace.h"

namespace ava::sim {

struct JobReplayConfig {
  std::string queue = "ava";      // fifo | sjf | ava
  std::string placement = "ava";  // sched policy name
  bool quotas = true;
  double quota_scale = 1.0;          // group quota = share of the pool × quota_scale
  int64_t cpu_milli_per_gpu = 4000;  // what each job asks besides GPUs
  uint64_t memory_per_gpu = uint64_t{32} << 30;
};

struct JobReplayResult {
  int64_t submitted = 0;
  int64_t rejected = 0;  // could never run (larger than the pool or its group's quota)
  int64_t completed = 0;
  int64_t unfinished = 0;  // still waiting when nothing more could happen
  double avg_jct_s = 0, p95_jct_s = 0;
  double avg_wait_s = 0, p95_wait_s = 0, max_wait_s = 0;
  double gpu_utilization = 0;  // 0..1, over the arrival window
  double makespan_s = 0;
  int64_t preemptions = 0;
};

Result<JobReplayResult> ReplayJobs(const gpu::Inventory& pool, const JobTrace& trace,
                                   const JobReplayConfig& config);

// The default pool for Venus arrivals: one 8-GPU node per Venus VC node (135 × 8 V100, 64 cores,
// 512 GiB each).
gpu::Inventory VenusPool(const JobTrace& trace);

}  // namespace ava::sim
