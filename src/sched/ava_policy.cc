#include "sched/ava_policy.h"

#include <algorithm>

#include "sched/fgd_policy.h"

namespace ava::sched {

AvaPolicy::AvaPolicy(std::shared_ptr<const WorkloadProfile> profile, AvaPolicyOptions options)
    : frag_(std::move(profile)), options_(options) {}

void AvaPolicy::Prepare(const Cluster& cluster) {
  if (prepared_for_ == cluster.model_gpus() && k_.size() == cluster.models().size()) return;
  const int models = static_cast<int>(cluster.models().size());
  std::vector<double> cap(models), cpu(models), mem(models), gpu(models), claimed(models);
  double total_cap = 0, total_demand = 0;
  for (int m = 0; m < models; ++m) total_cap += cap[m] = cluster.model_gpus()[m] * 1000.0;
  for (const WorkloadClass& c : frag_.profile().classes()) {
    if (c.shape.milli == 0) continue;
    const double g = c.weight * c.shape.milli * c.shape.gpus;
    total_demand += g;
    double accepted_cap = 0;
    for (int m = 0; m < models; ++m) {
      if (((c.model_mask >> m) & 1) == 0) continue;
      cpu[m] += c.weight * static_cast<double>(c.shape.cpu_milli);
      mem[m] += c.weight * c.mean_memory_bytes;
      gpu[m] += g;
      accepted_cap += cap[m];
    }
    if (c.model_mask == kAnyModel || accepted_cap <= 0) continue;
    // Constrained demand, spread over the models it accepts in proportion to their size.
    for (int m = 0; m < models; ++m) {
      if ((c.model_mask >> m) & 1) claimed[m] += g * cap[m] / accepted_cap;
    }
  }
  k_.assign(models, 0);
  mem_k_.assign(models, 0);
  scarcity_.assign(models, 0);
  for (int m = 0; m < models; ++m) {
    if (gpu[m] > 0) {
      k_[m] = cpu[m] / gpu[m];
      mem_k_[m] = mem[m] / gpu[m];
    }
    // When the arrived demand equals the pool's capacity, constrained jobs bring
    // total_cap × claimed/total_demand milli-GPU for model m.
    if (cap[m] > 0 && total_demand > 0)
      scarcity_[m] = std::min(1.0, total_cap * claimed[m] / total_demand / cap[m]);
  }
  prepared_for_ = cluster.model_gpus();
}

void AvaPolicy::BeginDecision(const Cluster& cluster, const Demand& d) {
  Prepare(cluster);
  int accepted = 0;
  if (d.gpus > 0) {
    for (int m = 0; m < static_cast<int>(cluster.models().size()); ++m) {
      accepted += d.AcceptsModel(m) && cluster.model_gpus()[m] > 0;
    }
  }
  flexible_ = accepted > 1;
}

double AvaPolicy::Stranded(int model, double gpu_left, double cpu_left, double memory_left) const {
  if (model < 0) return 0;
  // The idle milli-GPU the node's CPU and memory can feed at the usual workload's ratios.
  double fed = gpu_left;
  if (k_[model] > 0) fed = std::min(fed, cpu_left / k_[model]);
  if (mem_k_[model] > 0) fed = std::min(fed, memory_left / mem_k_[model]);
  return std::max(0.0, gpu_left - fed);
}

double AvaPolicy::Score(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  const double gpu_after = node.gpu_left_total - static_cast<double>(d.total_gpu_milli());
  const double cpu_after = static_cast<double>(node.cpu_left - d.cpu_milli);
  const double mem_after = static_cast<double>(node.memory_left - d.memory_bytes);
  double penalty = options_.stranding_weight *
                   (Stranded(node.model, gpu_after, cpu_after, mem_after) -
                    Stranded(node.model, node.gpu_left_total, static_cast<double>(node.cpu_left),
                             static_cast<double>(node.memory_left)));
  if (flexible_) penalty += options_.reservation_weight * scarcity_[node.model] * d.total_gpu_milli();
  const double before = frag_.Now(node);
  if (!d.fractional()) return FgdPolicy::GradientScore(before - frag_.After(node, d) - penalty, 0);
  // One candidate per distinct milli-left value: GPUs holding the same amount score the same.
  int best = -1, previous = -1;
  for (int i = 0; i < node.gpu_count; ++i) {
    const int left = node.sorted_left[i];
    if (left < d.milli) break;
    if (left == previous) continue;
    previous = left;
    best = std::max(best, FgdPolicy::GradientScore(before - frag_.After(node, d, left) - penalty, 0));
  }
  return best;
}

uint32_t AvaPolicy::ChooseGpus(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  if (!d.fractional()) return TopologyAwareGpus(node, d);
  // The GPU whose use lowers fragmentation most; then the tightest fit; then the lowest index.
  int best_gpu = -1;
  double best = 0;
  for (int g = 0; g < node.gpu_count; ++g) {
    const int left = node.gpu_left[g];
    if (left < d.milli) continue;
    const double delta = -frag_.After(node, d, left);
    if (best_gpu < 0 || delta > best || (delta == best && left < node.gpu_left[best_gpu])) {
      best = delta;
      best_gpu = g;
    }
  }
  return uint32_t{1} << best_gpu;
}

}  // namespace ava::sched
