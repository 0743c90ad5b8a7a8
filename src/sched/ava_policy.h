// AvaPolicy: Ava's default placement. Draft under evaluation.
#pragma once

#include <memory>

#include "sched/fragmentation_cache.h"
#include "sched/policy.h"

namespace ava::sched {

class AvaPolicy final : public ScoringPolicy {
 public:
  explicit AvaPolicy(std::shared_ptr<const WorkloadProfile> profile) : frag_(std::move(profile)) {}
  std::string_view name() const override { return "ava"; }

 protected:
  double Score(const Cluster& cluster, int n, const Demand& d) override;
  uint32_t ChooseGpus(const Cluster& cluster, int n, const Demand& d) override;

 private:
  double Delta(const Cluster::Node& node, const Demand& d, int from_left);
  FragmentationCache frag_;
};

}  // namespace ava::sched
