#include "sim/go_rand.h"

namespace ava::sim {
namespace internal {
extern const int64_t kGoRngCooked[607];
}  // namespace internal

namespace {

// x[n+1] = 48271 * x[n] mod (2^31 - 1), Schrage's method as Go writes it.
int32_t SeedRand(int32_t x) {
  constexpr int32_t kA = 48271, kQ = 44488, kR = 3399;
  const int32_t hi = x / kQ;
  const int32_t lo = x % kQ;
  x = kA * lo - kR * hi;
  if (x < 0) x += 2147483647;
  return x;
}

}  // namespace

void GoRand::Seed(int64_t seed) {
  tap_ = 0;
  feed_ = kLen - kTap;
  seed %= 2147483647;
  if (seed < 0) seed += 2147483647;
  if (seed == 0) seed = 89482311;
  int32_t x = static_cast<int32_t>(seed);
  for (int i = -20; i < kLen; ++i) {
    x = SeedRand(x);
    if (i >= 0) {
      uint64_t u = static_cast<uint64_t>(static_cast<int64_t>(x)) << 40;
      x = SeedRand(x);
      u ^= static_cast<uint64_t>(static_cast<int64_t>(x)) << 20;
      x = SeedRand(x);
      u ^= static_cast<uint64_t>(static_cast<int64_t>(x));
      u ^= static_cast<uint64_t>(internal::kGoRngCooked[i]);
      vec_[i] = static_cast<int64_t>(u);
    }
  }
}

uint64_t GoRand::Uint64() {
  if (--tap_ < 0) tap_ += kLen;
  if (--feed_ < 0) feed_ += kLen;
  // Wrapping addition, as Go's int64 arithmetic.
  const uint64_t x = static_cast<uint64_t>(vec_[feed_]) + static_cast<uint64_t>(vec_[tap_]);
  vec_[feed_] = static_cast<int64_t>(x);
  return x;
}

int32_t GoRand::Int31n(int32_t n) {
  if ((n & (n - 1)) == 0) return Int31() & (n - 1);
  const int32_t max =
      static_cast<int32_t>((uint32_t{1} << 31) - 1 - (uint32_t{1} << 31) % static_cast<uint32_t>(n));
  int32_t v = Int31();
  while (v > max) v = Int31();
  return v % n;
}

int32_t GoRand::Lemire31n(int32_t n) {
  uint32_t v = Uint32();
  uint64_t prod = static_cast<uint64_t>(v) * static_cast<uint64_t>(n);
  uint32_t low = static_cast<uint32_t>(prod);
  if (low < static_cast<uint32_t>(n)) {
    const uint32_t thresh = static_cast<uint32_t>(-n) % static_cast<uint32_t>(n);
    while (low < thresh) {
      v = Uint32();
      prod = static_cast<uint64_t>(v) * static_cast<uint64_t>(n);
      low = static_cast<uint32_t>(prod);
    }
  }
  return static_cast<int32_t>(prod >> 32);
}

std::vector<int> GoRand::Perm(int n) {
  std::vector<int> m(n);
  for (int i = 0; i < n; ++i) {
    const int j = static_cast<int>(Intn(i + 1));
    m[i] = m[j];
    m[j] = i;
  }
  return m;
}

}  // namespace ava::sim
