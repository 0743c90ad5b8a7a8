// GoRand: a bit-exact port of the random stream of Go's math/rand (Go 1.15–1.20): the additive
// lagged Fibonacci source (length 607, tap 273) seeded through Park–Miller and the rngCooked table,
// and the derived draws the published FGD experiments consumed — Int63, Int31, Int31n/Intn (the
// rejection method), Shuffle (Lemire's multiply-shift int31n) and Perm. With it the simulator
// replays the exact arrival order, tune copies and node priorities of every published run.
//
// Thread safety: a value with mutable state; one per thread.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace ava::sim {

class GoRand {
 public:
  explicit GoRand(int64_t seed) { Seed(seed); }
  void Seed(int64_t seed);

  uint64_t Uint64();
  int64_t Int63() { return static_cast<int64_t>(Uint64() & kMask); }
  int32_t Int31() { return static_cast<int32_t>(Int63() >> 32); }
  uint32_t Uint32() { return static_cast<uint32_t>(Int63() >> 31); }
  // Go's Int() on a 64-bit machine.
  int64_t Int() { return Int63(); }
  // Uniform in [0, n), n > 0: Go's Int31n (rejection sampling).
  int32_t Int31n(int32_t n);
  // Go's Intn for n < 2^31.
  int64_t Intn(int64_t n) { return Int31n(static_cast<int32_t>(n)); }
  // Go's Shuffle: i from n-1 down to 1 swaps i with int31n(i+1) (Lemire's method).
  template <typename Swap>
  void Shuffle(int64_t n, Swap swap) {
    for (int64_t i = n - 1; i > 0; --i) swap(i, static_cast<int64_t>(Lemire31n(static_cast<int32_t>(i + 1))));
  }
  // Go's Perm(n).
  std::vector<int> Perm(int n);

 private:
  static constexpr int kLen = 607;
  static constexpr int kTap = 273;
  static constexpr uint64_t kMask = (uint64_t{1} << 63) - 1;

  int32_t Lemire31n(int32_t n);

  int tap_ = 0;
  int feed_ = 0;
  std::array<int64_t, kLen> vec_{};
};

}  // namespace ava::sim
