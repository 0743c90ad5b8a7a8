// OpenbCurves: the per-event log of an OpenbExperiment turned into the published curves — one
// value per whole percent of arrived demand, 0..130 % of cluster capacity — exactly as the
// reference scripts (pandas) compute them:
//   x = round(arrived / total_gpus / 10)             per event (Python round, ties to even)
//   a = round(used / total_gpus / 10, 2)             per event
//   column X: the events with x == X, else those with X-1 <= x <= X+1, else empty
//   alloc[X]      = round(mean(a), 2)                 GPU allocation ratio, %
//   frag[X]       = round(100 * mean(frag) / 1000 / total_gpus, 2)   fragment / total, %
//   frag_ratio[X] = mean(frag_ratio)                  fragment / idle, % (not rounded)
// Means are numpy's (pairwise summation, then division by the count); the final roundings are
// numpy's rint(100 v) / 100.
//
// Thread safety: free functions over values.
#pragma once

#include <array>
#include <vector>

#include "sim/openb_experiment.h"

namespace ava::sim {

inline constexpr int kCurvePoints = 131;  // 0..130 % arrived

struct Curve {
  std::array<double, kCurvePoints> value{};
  std::array<bool, kCurvePoints> present{};
};

struct OpenbCurves {
  Curve alloc;
  Curve frag;
  Curve frag_ratio;
};

OpenbCurves Discretize(const std::vector<OpenbEvent>& events, int total_gpus);

// numpy's pairwise summation of n doubles (np.add.reduce on a contiguous float64 array).
double PairwiseSum(const double* v, size_t n);

}  // namespace ava::sim
