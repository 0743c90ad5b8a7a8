#include "sched/topology_score.h"

#include <bit>

namespace ava::sched {
namespace {

uint64_t Choose(int n, int k) {
  if (k < 0 || k > n) return 0;
  uint64_t r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

// Spreads the low bits of `compact` onto the positions of `positions` (PDEP in software).
uint32_t Deposit(uint32_t compact, const int* positions) {
  uint32_t out = 0;
  for (int i = 0; compact != 0; ++i, compact >>= 1) {
    if (compact & 1) out |= uint32_t{1} << positions[i];
  }
  return out;
}

}  // namespace

int PairAffinity(gpu::GpuPath path) {
  switch (path.kind) {
    case gpu::PathKind::kSelf:
      return 0;
    case gpu::PathKind::kNvLink:
      return 100 * path.nvlinks;
    case gpu::PathKind::kPix:
      return 50;
    case gpu::PathKind::kPxb:
      return 40;
    case gpu::PathKind::kPhb:
      return 30;
    case gpu::PathKind::kNode:
      return 20;
    case gpu::PathKind::kSys:
      return 10;
  }
  return 0;
}

int SetAffinity(const NodeTopology& t, uint32_t mask) {
  int sum = 0;
  for (uint32_t a = mask; a != 0; a &= a - 1) {
    const int i = std::countr_zero(a);
    for (uint32_t b = a & (a - 1); b != 0; b &= b - 1) sum += t.affinity[i][std::countr_zero(b)];
  }
  return sum;
}

uint32_t BestGpuSet(const NodeTopology& t, uint32_t free_mask, int k) {
  int positions[kMaxGpus];
  int f = 0;
  for (uint32_t m = free_mask; m != 0; m &= m - 1) positions[f++] = std::countr_zero(m);
  if (k >= f) return free_mask;
  if (k == 1) return uint32_t{1} << positions[0];
  if (Choose(f, k) <= 4096) {
    uint32_t best = 0;
    int best_score = -1;
    // Gosper's hack: every k-subset of f positions, in increasing order of the compact mask.
    for (uint32_t c = (uint32_t{1} << k) - 1; c < (uint32_t{1} << f);) {
      const uint32_t mask = Deposit(c, positions);
      const int s = SetAffinity(t, mask);
      if (s > best_score) {
        best_score = s;
        best = mask;
      }
      const uint32_t low = c & (~c + 1);
      const uint32_t ripple = c + low;
      c = (((ripple ^ c) >> 2) / low) | ripple;
    }
    return best;
  }
  // Greedy: the best pair, then the GPU that adds the most, until k.
  uint32_t set = 0;
  int best_pair = -1;
  for (int a = 0; a < f; ++a) {
    for (int b = a + 1; b < f; ++b) {
      const int s = t.affinity[positions[a]][positions[b]];
      if (s > best_pair) {
        best_pair = s;
        set = (uint32_t{1} << positions[a]) | (uint32_t{1} << positions[b]);
      }
    }
  }
  while (std::popcount(set) < k) {
    int best_gain = -1, best_gpu = -1;
    for (int a = 0; a < f; ++a) {
      if (set & (uint32_t{1} << positions[a])) continue;
      int gain = 0;
      for (uint32_t m = set; m != 0; m &= m - 1) gain += t.affinity[positions[a]][std::countr_zero(m)];
      if (gain > best_gain) {
        best_gain = gain;
        best_gpu = positions[a];
      }
    }
    set |= uint32_t{1} << best_gpu;
  }
  return set;
}

int BestPossibleAffinity(const NodeTopology& t, int k) {
  if (k < 2 || k > t.gpu_count) return 0;
  const uint32_t all = t.gpu_count >= 32 ? ~uint32_t{0} : (uint32_t{1} << t.gpu_count) - 1;
  return SetAffinity(t, BestGpuSet(t, all, k));
}

}  // namespace ava::sched
