// WorkloadProfile: the shapes of job members a pool usually sees, with their frequencies — the
// "target workload" against which fragmentation is measured (FGD, Weng et al., ATC'23). A shape
// is (CPU, milli-GPU per GPU, GPU count, accepted GPU models); CPU-only members count too.
//
// Build() keeps the most common shapes until they cover `coverage_percent` of all samples and
// renormalises their weights to sum to 1, with the published tie rules (count descending, then
// shape descending) and the same floating-point steps, so weights match the reference bit for bit.
// The control plane builds it from recent submissions; the simulator from the trace.
//
// Errors: Build fails with InvalidArgument on an empty sample list or a coverage outside 1..100.
// Thread safety: immutable after Build; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "sched/cluster.h"

namespace ava::sched {

struct WorkloadShape {
  int64_t cpu_milli = 0;
  int milli = 0;  // per GPU; 0 for CPU-only
  int gpus = 0;
  std::string gpu_models;  // accepted models joined by '|'; empty = any
  // Memory is carried along (a class keeps the mean of its samples) but is not part of the
  // class identity, as in the reference.
  uint64_t memory_bytes = 0;

  friend bool operator==(const WorkloadShape& a, const WorkloadShape& b) { return !(a < b) && !(b < a); }
  // The published order: cpu, then milli, then gpus, then models as a string.
  friend bool operator<(const WorkloadShape& a, const WorkloadShape& b);
};

struct WorkloadClass {
  WorkloadShape shape;
  uint64_t model_mask = kAnyModel;  // shape.gpu_models resolved against the cluster
  double weight = 0;                // share among the kept classes; the weights sum to 1
  int64_t count = 0;
  double mean_memory_bytes = 0;  // over the samples of the class
};

class WorkloadProfile {
 public:
  static Result<WorkloadProfile> Build(const std::vector<WorkloadShape>& samples, const Cluster& cluster,
                                       int coverage_percent = 95);

  const std::vector<WorkloadClass>& classes() const { return classes_; }
  // Fraction of all samples that the kept classes cover.
  double covered() const { return covered_; }

 private:
  std::vector<WorkloadClass> classes_;
  double covered_ = 0;
};

}  // namespace ava::sched
