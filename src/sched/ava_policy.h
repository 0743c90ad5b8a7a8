// AvaPolicy: Ava's default placement. It starts from fragmentation gradient descent (FGD, Weng et
// al., ATC'23; fgd_policy.h) and corrects three ways FGD loses GPUs on the openb trace:
//
//  1. CPU stranding. FGD asks whether a node could still host one more pod of each usual shape;
//     it does not see that a node whose CPU is nearly gone cannot feed its remaining idle GPUs.
//     On the default trace (seed 42) that is 87 % of the GPU demand FGD turns away by 100 % arrived. Ava
//     estimates, per GPU model, the CPU the usual workload needs per milli-GPU (k_X) and counts
//     the idle milli-GPU a node's remaining CPU cannot feed, max(0, gpu_left - cpu_left / k_X),
//     as stranded; a placement pays for the stranding it adds.
//  2. Scarce GPU models. When jobs that accept only some models would claim a large part of those
//     models' capacity (the gpuspec traces: T4-only jobs want more than all the T4s), a job that
//     could run elsewhere pays s_X per milli-GPU it takes on model X, where s_X (0..1) is the share
//     of X that the constrained demand claims. Jobs that accept one model pay nothing.
//  3. Dead gaps. FGD values the milli left on a shared GPU by whether the *next* pod could use
//     it, so it gladly turns a 530 gap (which the next 470 pod would fill to 60) into a 210 gap
//     that only the rare pods of 210 or less can fill. Ava learns, from the profile's fractional
//     shapes, the expected final waste W(g) of a GPU with g milli left, by packing a synthetic
//     stream of those shapes with its own rule (per model and per CPU level: a gap on a node short
//     of CPU can only take the light shapes); a fraction pays ν·(W(after) − W(before)) on the GPU
//     it lands on. A free GPU counts as no waste (a whole-GPU pod can still take it).
//
// Node score = trunc(100 · sigmoid((ΔF − λ·Δstranded − μ·s_X·gpu − ν·ΔW) / 1000)), with ΔF the
// decrease in FGD fragmentation, λ = μ = 1 (one milli-GPU stranded or reserved counts as one
// milli-GPU of fragment) and ν = 5 (so that the gap's lifetime waste, not FGD's one-step view,
// decides where a fraction goes); ties go to the lower rank, which consolidates. A fraction takes
// the GPU whose own ΔF − ν·ΔW is best (then the tightest fit); whole GPUs are the best-linked free
// set (topology_score.h), which changes no fragmentation number since those depend only on how
// much is left per GPU.
//
// Measured on the published openb grid (docs/benchmarks.md): above FGD on all 17 traces.
//
// Thread safety: holds caches; one instance per thread.
#pragma once

#include <memory>
#include <vector>

#include "sched/fragmentation_cache.h"
#include "sched/policy.h"

namespace ava::sched {

struct AvaPolicyOptions {
  double stranding_weight = 1.0;    // λ: cost of one milli-GPU stranded by lack of CPU
  double reservation_weight = 1.0;  // μ: cost of one milli-GPU of a scarce model taken by a flexible job
  double gap_weight = 5.0;          // ν: cost of one milli-GPU of expected final waste on a shared GPU
};

class AvaPolicy final : public ScoringPolicy {
 public:
  explicit AvaPolicy(std::shared_ptr<const WorkloadProfile> profile, AvaPolicyOptions options = {});
  std::string_view name() const override { return "ava"; }

  // The per-model figures behind the corrections, for tests and the docs.
  double CpuPerGpuMilli(int model) const {
    return model >= 0 && model < static_cast<int>(k_.size()) ? k_[model] : 0;
  }
  double Scarcity(int model) const {
    return model >= 0 && model < static_cast<int>(scarcity_.size()) ? scarcity_[model] : 0;
  }
  // The expected final waste (milli) of a GPU of `model` with `gap` milli left on a node with
  // `cpu_left` CPU milli left.
  double GapWaste(int model, int64_t cpu_left, int gap) const;
  // Prepares the per-model figures for `cluster` (done by Place on the first decision).
  void Prepare(const Cluster& cluster);

 protected:
  void BeginDecision(const Cluster& cluster, const Demand& d) override;
  double Score(const Cluster& cluster, int n, const Demand& d) override;
  uint32_t ChooseGpus(const Cluster& cluster, int n, const Demand& d) override;

 private:
  double Stranded(int model, double gpu_left, double cpu_left, double memory_left) const;
  const std::vector<double>& GapTable(int model, int64_t cpu_left) const;
  // ν·ΔW of taking `d` (a fraction) from a GPU of `node` with `left` milli.
  double GapCost(const Cluster::Node& node, int left, const Demand& d) const;

  FragmentationCache frag_;
  const AvaPolicyOptions options_;
  std::vector<int> prepared_for_;  // Cluster::model_gpus() the figures below were computed for
  std::vector<double> k_;          // per model: CPU milli the usual workload needs per milli-GPU
  std::vector<double> mem_k_;      // per model: memory bytes the usual workload needs per milli-GPU
  std::vector<double> scarcity_;   // per model: share claimed by jobs that need it, 0..1
  std::vector<std::vector<double>> gap_tables_;  // W(0..1000), shared by identical shape sets
  // per model: (CPU level, gap_tables_ index), levels ascending
  std::vector<std::vector<std::pair<int64_t, int>>> gap_levels_;
  bool flexible_ = false;  // the current demand accepts two or more models with GPUs
};

}  // namespace ava::sched
