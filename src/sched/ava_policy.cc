#include "sched/ava_policy.h"

#include <algorithm>
#include <map>
#include <set>

#include "sched/fgd_policy.h"

namespace ava::sched {
namespace {

// splitmix64: a fixed, portable stream, so the table is the same on every machine.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr int kGapStream = 1 << 16;  // pods per pass
constexpr int kGapRounds = 3;        // passes that follow the table, after the best-fit one

// One pass of the gap-waste estimate: packs kGapStream fractional pods drawn from `shapes`
// (milli, weight; `weight` is their sum) into GPUs and returns, for every gap g (milli left on a
// GPU, 0..999), the mean milli still left at the end on the GPUs that passed through g. A pod
// takes the gap, or a free GPU (gap 1000), that raises `value` least, value[g − milli] − value[g],
// the tightest on ties; without `value` it takes the tightest (best fit). Only GPUs opened in the
// first half of the stream count, so that each had the second half to fill up. Each mean starts
// from one pseudo-observation of a dead gap (g), so a gap seldom or never seen counts as dead.
std::vector<double> GapWastePass(const std::vector<std::pair<int, double>>& shapes, double weight,
                                 const std::vector<double>* value, uint64_t& state) {
  struct Gpu {
    int left = 1000;
    std::vector<int> visited{1000};
  };
  std::vector<Gpu> gpus;
  std::vector<std::vector<int>> by_gap(1000);  // open GPUs by milli left
  std::set<int> open_gaps;
  for (int i = 0; i < kGapStream; ++i) {
    double u = static_cast<double>(NextRandom(state) >> 11) * 0x1.0p-53 * weight;
    int milli = shapes.back().first;
    for (const auto& [m, w] : shapes) {
      if (u < w) {
        milli = m;
        break;
      }
      u -= w;
    }
    int gap = 1000;
    if (value == nullptr) {
      const auto it = open_gaps.lower_bound(milli);
      if (it != open_gaps.end()) gap = *it;
    } else {
      double best = (*value)[1000 - milli] - (*value)[1000];
      bool open = false;
      for (auto it = open_gaps.lower_bound(milli); it != open_gaps.end(); ++it) {
        const double cost = (*value)[*it - milli] - (*value)[*it];
        if (cost < best || (cost == best && !open)) {
          best = cost;
          gap = *it;
          open = true;
        }
      }
    }
    int g;
    if (gap == 1000) {
      g = static_cast<int>(gpus.size());
      gpus.emplace_back();
    } else {
      g = by_gap[gap].back();
      by_gap[gap].pop_back();
      if (by_gap[gap].empty()) open_gaps.erase(gap);
    }
    Gpu& gpu = gpus[g];
    gpu.left -= milli;
    gpu.visited.push_back(gpu.left);
    if (gpu.left > 0) {
      by_gap[gpu.left].push_back(g);
      open_gaps.insert(gpu.left);
    }
  }
  std::vector<double> total(1000, 0), seen(1000, 0);
  for (size_t g = 0; g < gpus.size() / 2; ++g) {
    std::vector<int>& v = gpus[g].visited;
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    for (const int left : v) {
      if (left == 1000) continue;
      total[left] += gpus[g].left;
      seen[left] += 1;
    }
  }
  std::vector<double> out(1001);
  for (int g = 0; g < 1000; ++g) out[g] = (total[g] + g) / (seen[g] + 1);
  out[1000] = 0;  // a free GPU is not waste: a whole-GPU pod can still take it
  return out;
}

// The expected final waste of each gap under Ava's own rule for fractions. A table learnt under
// best fit sends the rare small pods into the tightest gaps, so it thinks those gaps get filled;
// packing again by the table itself corrects that. The passes are averaged (fictitious play),
// because a table taken from a single pass swings between two rules.
std::vector<double> GapWasteTable(const std::vector<std::pair<int, double>>& shapes) {
  double weight = 0;
  for (const auto& s : shapes) weight += s.second;
  std::vector<double> table(1001);
  for (int g = 0; g < 1000; ++g) table[g] = g;
  table[1000] = 0;
  if (weight <= 0) return table;
  uint64_t state = 42;
  table = GapWastePass(shapes, weight, nullptr, state);
  for (int round = 1; round <= kGapRounds; ++round) {
    const std::vector<double> next = GapWastePass(shapes, weight, &table, state);
    for (int g = 0; g <= 1000; ++g) table[g] = (table[g] * round + next[g]) / (round + 1);
  }
  return table;
}

}  // namespace

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
  // Gap tables: per model and per CPU level, the waste table of the fractional shapes that
  // accept the model and need at most that much CPU (a gap on a node whose CPU is nearly gone can
  // only be filled by the light shapes). Identical shape sets share one table.
  std::map<std::vector<std::pair<int, double>>, int> known;
  gap_tables_.clear();
  gap_levels_.assign(models, {});
  auto fraction_on = [](const WorkloadClass& c, int model) {
    return c.shape.gpus == 1 && c.shape.milli > 0 && c.shape.milli < 1000 && ((c.model_mask >> model) & 1);
  };
  for (int m = 0; m < models; ++m) {
    std::vector<int64_t> levels{-1};  // below every shape's CPU: nothing fits
    for (const WorkloadClass& c : frag_.profile().classes()) {
      if (fraction_on(c, m)) levels.push_back(c.shape.cpu_milli);
    }
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    for (const int64_t level : levels) {
      std::vector<std::pair<int, double>> shapes;
      for (const WorkloadClass& c : frag_.profile().classes()) {
        if (fraction_on(c, m) && c.shape.cpu_milli <= level) shapes.emplace_back(c.shape.milli, c.weight);
      }
      auto it = known.find(shapes);
      if (it == known.end()) {
        it = known.emplace(shapes, static_cast<int>(gap_tables_.size())).first;
        gap_tables_.push_back(GapWasteTable(shapes));
      }
      gap_levels_[m].emplace_back(level, it->second);
    }
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

const std::vector<double>& AvaPolicy::GapTable(int model, int64_t cpu_left) const {
  int index = gap_levels_[model].front().second;  // level -1: nothing fits
  for (const auto& [level, table] : gap_levels_[model]) {
    if (level > cpu_left) break;
    index = table;
  }
  return gap_tables_[index];
}

double AvaPolicy::GapWaste(int model, int64_t cpu_left, int gap) const {
  if (model < 0 || model >= static_cast<int>(gap_levels_.size()) || gap < 0 || gap > 1000) return 0;
  return GapTable(model, cpu_left)[gap];
}

double AvaPolicy::GapCost(const Cluster::Node& node, int left, const Demand& d) const {
  const double before = GapTable(node.model, node.cpu_left)[left];
  const double after = GapTable(node.model, node.cpu_left - d.cpu_milli)[left - d.milli];
  return options_.gap_weight * (after - before);
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
    best = std::max(best, FgdPolicy::GradientScore(
                              before - frag_.After(node, d, left) - penalty - GapCost(node, left, d), 0));
  }
  return best;
}

uint32_t AvaPolicy::ChooseGpus(const Cluster& cluster, int n, const Demand& d) {
  const Cluster::Node& node = cluster.node(n);
  if (!d.fractional()) return TopologyAwareGpus(node, d);
  // The GPU whose use lowers fragmentation and the gap's expected waste most; then the tightest
  // fit; then the lowest index.
  int best_gpu = -1;
  double best = 0;
  for (int g = 0; g < node.gpu_count; ++g) {
    const int left = node.gpu_left[g];
    if (left < d.milli) continue;
    const double delta = -frag_.After(node, d, left) - GapCost(node, left, d);
    if (best_gpu < 0 || delta > best || (delta == best && left < node.gpu_left[best_gpu])) {
      best = delta;
      best_gpu = g;
    }
  }
  return uint32_t{1} << best_gpu;
}

}  // namespace ava::sched
