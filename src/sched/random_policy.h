// RandomPolicy: a node drawn uniformly among those that fit; a fraction goes to a GPU drawn
// uniformly among those with room, whole GPUs are the lowest-index free ones. The Random baseline
// of the FGD paper; deterministic for a given seed.
//
// Thread safety: holds a generator; one instance per thread.
#pragma once

#include <random>
#include <vector>

#include "sched/policy.h"

namespace ava::sched {

class RandomPolicy final : public Policy {
 public:
  explicit RandomPolicy(uint64_t seed) : rng_(seed) {}
  std::string_view name() const override { return "random"; }
  std::optional<Placement> Place(const Cluster& cluster, const Demand& d) override;

 private:
  // Uniform in [0, n) without modulo bias.
  uint64_t Below(uint64_t n);

  std::mt19937_64 rng_;
  std::vector<int> feasible_;
};

}  // namespace ava::sched
