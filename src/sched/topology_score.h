// Topology score: how well a set of GPUs inside one machine can talk to each other, for jobs that
// use several GPUs. Each pair gets a link quality on the scale of NVIDIA's go-gpuallocator
// (NVLink 100 per bonded link, PIX 50, PXB 40, PHB 30, NODE 20, SYS 10); a set scores the sum over
// its pairs. So NVLink counts most, then one PCIe switch, then one socket, and crossing sockets
// least — the order that decides NCCL all-reduce bandwidth on PCIe machines.
//
// Thread safety: free functions over values.
#pragma once

#include <cstdint>

#include "gpu/gpu_path.h"
#include "sched/cluster.h"

namespace ava::sched {

int PairAffinity(gpu::GpuPath path);

// Sum of pair affinities over the GPUs in `mask`.
int SetAffinity(const NodeTopology& topology, uint32_t mask);

// The k GPUs of `free_mask` with the highest SetAffinity (ties: the smaller mask, i.e. lower
// indices). Exhaustive when there are at most 4,096 candidate sets, greedy beyond (grow the best
// pair one GPU at a time). REQUIRES: popcount(free_mask) >= k >= 1.
uint32_t BestGpuSet(const NodeTopology& topology, uint32_t free_mask, int k);

// The best SetAffinity a k-GPU set could reach on an empty node of this shape: the yardstick that
// turns SetAffinity into a 0..1 quality.
int BestPossibleAffinity(const NodeTopology& topology, int k);

}  // namespace ava::sched
