// Demand: a Request resolved against one Cluster — GPU model names turned into a bit mask of the
// cluster's model ids — in the compact form the placement loop reads millions of times.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>

namespace ava::sched {

inline constexpr uint64_t kAnyModel = ~uint64_t{0};

struct Demand {
  int gpus = 0;                     // GPUs on one node (1 for a fraction)
  int milli = 1000;                 // milli-GPU taken from each of those GPUs
  uint64_t model_mask = kAnyModel;  // bit m set: GPU model id m is acceptable
  int64_t cpu_milli = 0;
  uint64_t memory_bytes = 0;

  bool fractional() const { return gpus == 1 && milli < 1000; }
  int64_t total_gpu_milli() const { return static_cast<int64_t>(gpus) * milli; }
  bool AcceptsModel(int model) const { return model >= 0 && ((model_mask >> model) & 1) != 0; }
};

}  // namespace ava::sched
