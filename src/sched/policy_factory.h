// MakePolicy: every placement policy by name, for configuration files, flags and the simulator.
//
//   first-fit       first node in rank order that fits
//   best-fit        least resources left after the placement (FGD paper's BestFit)
//   spread          most resources left after the placement (least allocated)
//   dot-product     Tetris alignment of free and requested (CPU, GPU) (FGD paper's DotProd)
//   gpu-packing     fill used GPUs, then used nodes, keep whole machines free (GpuPacking)
//   gpu-clustering  keep members of one shape together (GpuClustering)
//   random          uniform among the nodes that fit (Random)
//   topology        best-linked GPU set for multi-GPU members, then packing
//   fgd             fragmentation gradient descent (Weng et al., ATC'23)
//   ava             Ava's default (ava_policy.h)
//
// Errors: NotFound for an unknown name (listing the known ones); InvalidArgument when fgd or ava is
// asked for without a workload profile.
// Thread safety: free functions; each call returns an independent policy.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sched/policy.h"
#include "sched/workload_profile.h"

namespace ava::sched {

struct PolicyOptions {
  uint64_t seed = 42;                              // random
  std::shared_ptr<const WorkloadProfile> profile;  // fgd, ava
};

inline constexpr std::string_view kDefaultPolicy = "ava";

Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options);
const std::vector<std::string_view>& PolicyNames();

}  // namespace ava::sched
