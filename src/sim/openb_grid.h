// OpenbGrid: many OpenbExperiment runs — workloads × policies × seeds — spread over threads, each
// reduced to its curves and, when the published reference has the same run, compared with it
// cell by cell. ava-sim's openb mode and bench/sched/run_fgd_grid.sh drive it.
//
// Errors: the first failing load or run (a missing CSV, an unknown policy) stops the grid.
// Thread safety: RunOpenbGrid is a free function; `progress` is called from worker threads under
// an internal lock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "sim/fgd_reference.h"
#include "sim/openb_curves.h"

namespace ava::sim {

// The 17 pod lists of the published results.
const std::vector<std::string>& PublishedWorkloads();

struct OpenbGridOptions {
  std::string trace_dir;               // holds alibaba-gpu-v2023/ and fgd-expected-results/
  std::vector<std::string> workloads;  // pod list stems without "openb_pod_list_": "default", "gpushare40", …
  std::vector<std::string> policies;  // sched policy names
  std::vector<int64_t> seeds;
  double tune = 1.3;
  int threads = 1;
  bool compare = true;  // compare with the published rows where they exist
};

struct CurveComparison {
  bool available = false;   // the reference has this run
  int mismatched = 0;       // cells that differ (beyond 1e-9) or are present on one side only
  double max_abs_diff = 0;  // over cells present on both sides
};

struct OpenbRunSummary {
  std::string workload;
  std::string policy;
  int64_t seed = 0;
  OpenbCurves curves;
  int64_t arrivals = 0;
  int64_t failed = 0;
  double seconds = 0;
  CurveComparison alloc, frag, frag_ratio;
};

using OpenbProgress = std::function<void(const OpenbRunSummary&, size_t done, size_t total)>;

// Results in grid order (workload, then policy, then seed).
Result<std::vector<OpenbRunSummary>> RunOpenbGrid(const OpenbGridOptions& options,
                                                  const OpenbProgress& progress = {});

CurveComparison CompareCurves(const Curve& ours, const Curve* published);

}  // namespace ava::sim
