// Placement: where one member of a gang runs — a node, the GPUs on it (a bit mask of device
// indices) and what it takes from each. GangPlacement: one Placement per member, in member order.
//
// Thread safety: plain values.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

namespace ava::sched {

struct Placement {
  int node = -1;
  uint32_t gpu_mask = 0;  // bit i: GPU i of the node
  int gpu_milli = 0;      // taken from each GPU in gpu_mask (1000 = whole GPU)
  int64_t cpu_milli = 0;
  uint64_t memory_bytes = 0;

  int gpu_count() const { return std::popcount(gpu_mask); }
  // GPU indices in ascending order.
  std::vector<int> gpu_indices() const {
    std::vector<int> out;
    for (uint32_t m = gpu_mask; m != 0; m &= m - 1) out.push_back(std::countr_zero(m));
    return out;
  }
  friend bool operator==(const Placement&, const Placement&) = default;
};

using GangPlacement = std::vector<Placement>;

}  // namespace ava::sched
