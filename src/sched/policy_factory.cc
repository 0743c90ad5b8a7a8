#include "sched/policy_factory.h"

#include <fmt/format.h>

#include "sched/ava_policy.h"
#include "sched/best_fit_policy.h"
#include "sched/dot_product_policy.h"
#include "sched/fgd_policy.h"
#include "sched/first_fit_policy.h"
#include "sched/gpu_clustering_policy.h"
#include "sched/gpu_packing_policy.h"
#include "sched/random_policy.h"
#include "sched/topology_policy.h"

namespace ava::sched {

const std::vector<std::string_view>& PolicyNames() {
  static const std::vector<std::string_view> kNames = {
      "first-fit",      "best-fit", "spread",   "dot-product", "gpu-packing",
      "gpu-clustering", "random",   "topology", "fgd",         "ava"};
  return kNames;
}

Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options) {
  auto need_profile = [&]() -> Status {
    if (options.profile == nullptr) {
      return Status::InvalidArgument(fmt::format("policy '{}' needs a workload profile", name));
    }
    return Status::OK();
  };
  std::unique_ptr<Policy> p;
  if (name == "first-fit") {
    p = std::make_unique<FirstFitPolicy>();
  } else if (name == "best-fit") {
    p = std::make_unique<BestFitPolicy>();
  } else if (name == "spread") {
    p = std::make_unique<SpreadPolicy>();
  } else if (name == "dot-product") {
    p = std::make_unique<DotProductPolicy>();
  } else if (name == "gpu-packing") {
    p = std::make_unique<GpuPackingPolicy>();
  } else if (name == "gpu-clustering") {
    p = std::make_unique<GpuClusteringPolicy>();
  } else if (name == "random") {
    p = std::make_unique<RandomPolicy>(options.seed);
  } else if (name == "topology") {
    p = std::make_unique<TopologyPolicy>();
  } else if (name == "fgd") {
    AVA_RETURN_IF_ERROR(need_profile());
    p = std::make_unique<FgdPolicy>(options.profile);
  } else if (name == "ava") {
    AVA_RETURN_IF_ERROR(need_profile());
    p = std::make_unique<AvaPolicy>(options.profile);
  } else {
    return Status::NotFound(
        fmt::format("unknown policy '{}' (known: {})", name, fmt::join(PolicyNames(), ", ")));
  }
  return p;
}

}  // namespace ava::sched
