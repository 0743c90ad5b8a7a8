#include "sched/workload_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace ava::sched {

bool operator<(const WorkloadShape& a, const WorkloadShape& b) {
  if (a.cpu_milli != b.cpu_milli) return a.cpu_milli < b.cpu_milli;
  if (a.milli != b.milli) return a.milli < b.milli;
  if (a.gpus != b.gpus) return a.gpus < b.gpus;
  return a.gpu_models < b.gpu_models;
}

Result<WorkloadProfile> WorkloadProfile::Build(const std::vector<WorkloadShape>& samples,
                                               const Cluster& cluster, int coverage_percent) {
  if (samples.empty()) return Status::InvalidArgument("a workload profile needs at least one sample");
  if (coverage_percent < 1 || coverage_percent > 100) {
    return Status::InvalidArgument(fmt::format("coverage {}% is outside 1..100", coverage_percent));
  }
  std::map<WorkloadShape, double> counts;
  std::map<WorkloadShape, double> memory;
  double total = 0;
  for (const WorkloadShape& s : samples) {
    counts[s] += 1;
    memory[s] += static_cast<double>(s.memory_bytes);
    total += 1;
  }
  std::vector<std::pair<WorkloadShape, double>> list(counts.begin(), counts.end());
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return b.first < a.first;
  });
  // Same steps as the reference: grow the prefix one class at a time until it reaches the
  // threshold; each weight is count/total, then divided by the covered fraction.
  const double expected = static_cast<double>(coverage_percent) * total / 100.0;
  double cum = 0;
  size_t kept = 0;
  std::vector<double> weight(list.size());
  while (cum < expected && kept < list.size()) {
    cum += list[kept].second;
    weight[kept] = list[kept].second / total;
    ++kept;
  }
  WorkloadProfile p;
  p.covered_ = cum / total;
  const bool renormalise = kept < list.size();
  for (size_t i = 0; i < kept; ++i) {
    WorkloadClass c;
    c.shape = list[i].first;
    c.count = static_cast<int64_t>(list[i].second);
    c.mean_memory_bytes = memory[list[i].first] / list[i].second;
    c.weight = renormalise ? weight[i] / (cum / total) : weight[i];
    if (!c.shape.gpu_models.empty()) {
      c.model_mask = 0;
      size_t start = 0;
      while (start <= c.shape.gpu_models.size()) {
        size_t bar = c.shape.gpu_models.find('|', start);
        if (bar == std::string::npos) bar = c.shape.gpu_models.size();
        const int id = cluster.ModelId(std::string_view(c.shape.gpu_models).substr(start, bar - start));
        if (id >= 0) c.model_mask |= uint64_t{1} << id;
        start = bar + 1;
      }
    }
    p.classes_.push_back(std::move(c));
  }
  return p;
}

}  // namespace ava::sched
