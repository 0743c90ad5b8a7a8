// Node fragmentation (FGD, Weng et al., ATC'23): how much of a node's idle GPU capacity the usual
// workload (WorkloadProfile) could not use. For each workload class t with weight w_t:
//   - t needs no GPU, or the node's model is not accepted by t: all idle GPU milli is fragment;
//   - the node can host t (enough GPUs with room and enough CPU): the idle milli on GPUs too
//     small for t is fragment;
//   - otherwise (short of GPU or CPU): all idle GPU milli is fragment.
// F(node) = sum_t w_t * frag_t. Memory plays no part.
//
// The amounts are accumulated into the reference's seven bins in class order and summed in its
// order, because placements depend on the sign of tiny differences between two such sums (do not
// compile with -ffast-math or FMA contraction).
//
// Thread safety: free functions over values.
#pragma once

#include <array>
#include <cstdint>

#include "sched/workload_profile.h"

namespace ava::sched {

// Bin order of the reference implementation.
enum FragBin : int {
  kFragLackBoth = 0,     // Q1: short of GPU and CPU
  kFragLackGpu = 1,      // Q2: short of GPU (and the too-small GPUs of a hostable class)
  kFragSatisfied = 2,    // Q3: usable by the class (not fragment)
  kFragLackCpu = 3,      // Q4: short of CPU only
  kFragCpuOnlyFit = 4,   // XL: CPU-only class, CPU available
  kFragCpuOnlyLack = 5,  // XR: CPU-only class, CPU short
  kFragNoAccess = 6,     // NA: GPU model not accepted
  kFragBins = 7,
};

struct FragAmount {
  std::array<double, kFragBins> bin{};
  // Fragment milli-GPU: every bin but Q3, summed in the reference order.
  double Fragment() const {
    double out = 0;
    for (int i = 0; i < kFragBins; ++i) {
      if (i != kFragSatisfied) out += bin[i];
    }
    return out;
  }
  // Idle milli-GPU as the weighted bins see it (all bins).
  double Idle() const {
    double out = 0;
    for (int i = 0; i < kFragBins; ++i) out += bin[i];
    return out;
  }
};

// The state of a node that fragmentation depends on; gpu_left may be in any order.
struct FragState {
  int model = -1;
  int gpu_count = 0;
  int64_t cpu_left = 0;
  const int16_t* gpu_left = nullptr;
};

FragAmount NodeFragAmount(const FragState& state, const WorkloadProfile& profile);
inline double NodeFragmentation(const FragState& state, const WorkloadProfile& profile) {
  return NodeFragAmount(state, profile).Fragment();
}

}  // namespace ava::sched
