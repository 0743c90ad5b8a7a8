// A job-level workload for the queue replay, derived from the public traces we have (their raw job
// logs are not obtainable; see ../shared/traces/*/README.md):
//   - arrivals: the Helios Venus cluster's GPU jobs per 10-minute bin (Venus_cluster_throughput.csv:
//     submit_gpu_job jobs asking submit_gpu_num GPUs in total), each job at a uniform time in its
//     bin, over `days` days from `start`;
//   - sizes: the bin's GPUs split over its jobs in powers of two so that the bin total is kept
//     (a bin of 3 jobs and 10 GPUs gives 8, 1, 1); jobs above one node become gangs of full-node
//     members;
//   - runtimes: drawn from the Philly runtimes (philly_runtime.csv, 83,154 jobs), at least 1 s,
//     then all scaled by one factor so the offered GPU-time is `load` × the pool's over the window
//     (load <= 0 keeps them as drawn);
//   - groups: the 15 Venus virtual clusters (Venus_vc_config.csv) with their node counts; a job
//     goes to a VC drawn in proportion to its size among those large enough to hold it.
// The runtime estimate given to the scheduler is the true runtime (an oracle, as in the PAI
// simulator's shortest-job-first).
//
// Errors: NotFound / InvalidArgument for missing or malformed trace files or an empty window.
// Thread safety: free functions; deterministic for a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace ava::sim {

struct SimJob {
  std::string id;
  std::string group;
  int gpus = 0;
  Nanos submit{0};  // since the start of the window
  Nanos runtime{0};
};

struct VirtualCluster {
  std::string name;
  int nodes = 0;
};

struct JobTraceOptions {
  std::string trace_dir;
  std::string start = "2020-07-01";  // first day (YYYY-MM-DD) of the Venus series to replay
  int days = 7;
  double load = 0.9;         // offered GPU-time / pool GPU-time over the window; <= 0: as drawn
  int64_t pool_gpus = 1080;  // the pool the load refers to
  int gpus_per_node = 8;
  uint64_t seed = 42;
};

struct JobTrace {
  std::vector<SimJob> jobs;  // by submit time
  std::vector<VirtualCluster> groups;
  double natural_load = 0;   // offered load with runtimes as drawn
  double runtime_scale = 1;  // factor applied to every runtime
  Nanos window{0};
};

Result<JobTrace> MakeVenusJobTrace(const JobTraceOptions& options);

}  // namespace ava::sim
