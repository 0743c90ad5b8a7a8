// FirstFitPolicy: the first node in rank order where the member fits; the lowest-index GPUs there.
// The simplest baseline: fast, and it fills nodes front to back.
//
// Thread safety: stateless.
#pragma once

#include "sched/policy.h"

namespace ava::sched {

class FirstFitPolicy final : public ScoringPolicy {
 public:
  std::string_view name() const override { return "first-fit"; }
  // A first match cannot be beaten, so skip scoring the rest.
  std::optional<Placement> Place(const Cluster& cluster, const Demand& d) override;

 protected:
  double Score(const Cluster&, int, const Demand&) override { return 0; }
};

}  // namespace ava::sched
