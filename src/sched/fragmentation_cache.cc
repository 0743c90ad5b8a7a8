#include "sched/fragmentation_cache.h"

#include <algorithm>

namespace ava::sched {
namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

uint64_t Finish(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

FragmentationCache::FragmentationCache(std::shared_ptr<const WorkloadProfile> profile, int log2_slots)
    : profile_(std::move(profile)), slots_(size_t{1} << log2_slots), mask_((uint64_t{1} << log2_slots) - 1) {}

double FragmentationCache::Lookup(int model, int64_t cpu_left, const int16_t* sorted_left, int gpu_count) {
  std::array<uint64_t, 5> key{};
  // Ten bits per GPU (0..1000), six GPUs per word.
  for (int g = 0; g < gpu_count; ++g) {
    key[g / 6] |= static_cast<uint64_t>(sorted_left[g]) << (10 * (g % 6));
  }
  key[3] = static_cast<uint64_t>(cpu_left);
  key[4] = (uint64_t{1} << 40) | (static_cast<uint64_t>(static_cast<uint8_t>(model)) << 8) |
           static_cast<uint64_t>(gpu_count);
  uint64_t h = 0;
  for (uint64_t w : key) h = Mix(h, w);
  Slot& slot = slots_[Finish(h) & mask_];
  if (slot.key == key) {
    ++hits_;
    return slot.value;
  }
  ++misses_;
  FragState state;
  state.model = model;
  state.gpu_count = gpu_count;
  state.cpu_left = cpu_left;
  state.gpu_left = sorted_left;
  slot.key = key;
  slot.value = NodeFragmentation(state, *profile_);
  return slot.value;
}

double FragmentationCache::After(const Cluster::Node& node, const Demand& d, int from_left) {
  std::array<int16_t, kMaxGpus> left = node.sorted_left;
  const int n = node.gpu_count;
  if (d.fractional()) {
    // Take d.milli from one GPU holding `from_left`, then restore descending order.
    int i = 0;
    while (i < n && left[i] != from_left) ++i;
    left[i] = static_cast<int16_t>(left[i] - d.milli);
    while (i + 1 < n && left[i] < left[i + 1]) {
      std::swap(left[i], left[i + 1]);
      ++i;
    }
  } else if (d.gpus > 0) {
    // The free GPUs lead the sorted array: k of them become empty and move to the end.
    std::rotate(left.begin(), left.begin() + d.gpus, left.begin() + n);
    std::fill(left.begin() + (n - d.gpus), left.begin() + n, int16_t{0});
  }
  return Lookup(node.model, node.cpu_left - d.cpu_milli, left.data(), n);
}

}  // namespace ava::sched
