#include "sim/openb_curves.h"

#include <cmath>

namespace ava::sim {
namespace {

double NumpyRound2(double v) { return std::nearbyint(v * 100) / 100; }

double PairwiseBlock(const double* a, size_t n) {
  if (n < 8) {
    double res = -0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseBlock(a, n2) + PairwiseBlock(a + n2, n - n2);
}

double Mean(const std::vector<double>& v) {
  return PairwiseSum(v.data(), v.size()) / static_cast<double>(v.size());
}

}  // namespace

double PairwiseSum(const double* v, size_t n) { return 0.0 + PairwiseBlock(v, n); }

OpenbCurves Discretize(const std::vector<OpenbEvent>& events, int total_gpus) {
  const double total = total_gpus;
  std::vector<int> x(events.size());
  std::vector<double> a(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    x[i] = static_cast<int>(std::nearbyint(static_cast<double>(events[i].arrived) / total / 10));
    a[i] = RoundAsPrinted2(static_cast<double>(events[i].used) / total / 10);
  }
  OpenbCurves out;
  std::vector<double> alloc, frag, ratio;
  for (int col = 0; col < kCurvePoints; ++col) {
    for (int widen = 0; widen <= 1; ++widen) {
      alloc.clear();
      frag.clear();
      ratio.clear();
      for (size_t i = 0; i < events.size(); ++i) {
        if (x[i] < col - widen || x[i] > col + widen) continue;
        alloc.push_back(a[i]);
        frag.push_back(events[i].frag);
        ratio.push_back(events[i].frag_ratio);
      }
      if (!alloc.empty()) break;
    }
    if (alloc.empty()) continue;
    out.alloc.present[col] = out.frag.present[col] = out.frag_ratio.present[col] = true;
    out.alloc.value[col] = NumpyRound2(Mean(alloc));
    out.frag.value[col] = NumpyRound2(100 * Mean(frag) / 1000 / total);
    out.frag_ratio.value[col] = Mean(ratio);
  }
  return out;
}

}  // namespace ava::sim
