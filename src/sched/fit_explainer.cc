#include "sched/fit_explainer.h"

#include <fmt/format.h>

#include "common/units.h"
#include "sched/first_fit_policy.h"
#include "sched/gang_placer.h"

namespace ava::sched {
namespace {

std::string ModelWord(const Cluster& c, const Demand& d) {
  if (d.model_mask == kAnyModel) return "GPU";
  std::vector<std::string> names;
  for (int m = 0; m < static_cast<int>(c.models().size()); ++m) {
    if (d.AcceptsModel(m)) names.push_back(c.models()[m]);
  }
  return names.empty() ? "GPU" : fmt::format("{}", fmt::join(names, "|"));
}

std::string Cores(int64_t milli) { return fmt::format("{:g}", milli / 1000.0); }

// Why one member does not fit on `c` (now, or on an empty pool when `empty`).
std::string ExplainMember(const Cluster& c, const Demand& d, bool empty) {
  const std::string what = DescribeDemand(c, d);
  Demand gpu_only = d;
  gpu_only.cpu_milli = 0;
  gpu_only.memory_bytes = 0;
  const std::string gpus = DescribeDemand(c, gpu_only);
  const std::string model = ModelWord(c, d);
  const std::string scope = d.model_mask == kAnyModel ? "" : model + " ";
  if (d.gpus > 0) {
    int best = -1;
    int best_value = -1;
    bool any_model = false;
    for (int n = 0; n < c.node_count(); ++n) {
      const Cluster::Node& node = c.node(n);
      if (!d.AcceptsModel(node.model)) continue;
      any_model = true;
      const int value = empty ? node.gpu_count : (d.fractional() ? node.max_gpu_left : node.free_gpus);
      if (value > best_value) {
        best_value = value;
        best = n;
      }
    }
    if (!any_model) return fmt::format("needs {}; no node has {} GPUs", gpus, model);
    const bool gpu_short = d.fractional() ? best_value < d.milli : best_value < d.gpus;
    if (gpu_short) {
      if (d.fractional()) {
        return fmt::format("needs {}; the most free on any {} is {:g} (node {})", what, model,
                           best_value / 1000.0, c.node(best).name);
      }
      if (empty) {
        return fmt::format("needs {} on one node; the largest {}node has {} ({})", gpus, scope, best_value,
                           c.node(best).name);
      }
      return fmt::format("needs {} on one node; the largest free block is {} on node {}", gpus, best_value,
                         c.node(best).name);
    }
    // Enough GPUs somewhere: CPU or memory is what is short on those nodes.
    int64_t cpu = -1;
    uint64_t mem = 0;
    for (int n = 0; n < c.node_count(); ++n) {
      const Cluster::Node& node = c.node(n);
      if (!d.AcceptsModel(node.model)) continue;
      const bool gpus_ok = empty ? node.gpu_count >= d.gpus
                                 : (d.fractional() ? node.max_gpu_left >= d.milli : node.free_gpus >= d.gpus);
      if (!gpus_ok) continue;
      cpu = std::max(cpu, empty ? node.cpu_capacity : node.cpu_left);
      mem = std::max(mem, empty ? node.memory_capacity : node.memory_left);
    }
    return fmt::format(
        "needs {} on one node; the {}nodes with room for its GPUs have at most {} CPUs and {} {}", what,
        scope, Cores(cpu), FormatBytes(mem), empty ? "in all" : "free");
  }
  int64_t cpu = -1;
  uint64_t mem = 0;
  int at = 0;
  for (int n = 0; n < c.node_count(); ++n) {
    const Cluster::Node& node = c.node(n);
    const int64_t v = empty ? node.cpu_capacity : node.cpu_left;
    if (v > cpu) {
      cpu = v;
      at = n;
    }
    mem = std::max(mem, empty ? node.memory_capacity : node.memory_left);
  }
  if (cpu < d.cpu_milli) {
    return fmt::format("needs {} on one node; the {} is {} (node {})", what,
                       empty ? "largest node has" : "most free", Cores(cpu), c.node(at).name);
  }
  return fmt::format("needs {} on one node; no node has that much memory {} (at most {})", what,
                     empty ? "in all" : "free", FormatBytes(mem));
}

}  // namespace

std::string DescribeDemand(const Cluster& c, const Demand& d) {
  std::string out;
  const std::string model = ModelWord(c, d);
  if (d.fractional()) {
    out = fmt::format("{:g} of one {}", d.milli / 1000.0, model);
  } else if (d.gpus > 0) {
    out = fmt::format("{} {}{}", d.gpus, model == "GPU" ? "GPU" : model + " GPU", d.gpus == 1 ? "" : "s");
  }
  if (d.cpu_milli > 0 && (d.gpus == 0 || d.cpu_milli >= 1000)) {
    out += fmt::format("{}{} CPU{}", out.empty() ? "" : " with ", Cores(d.cpu_milli),
                       d.cpu_milli == 1000 ? "" : "s");
  }
  if (d.memory_bytes > 0 && d.gpus == 0) out += fmt::format(" and {}", FormatBytes(d.memory_bytes));
  return out;
}

std::string ExplainWaiting(const Cluster& cluster, const std::vector<Demand>& members) {
  // The first member that fits nowhere on its own.
  for (const Demand& d : members) {
    bool fits = false;
    for (int n = 0; n < cluster.node_count() && !fits; ++n) fits = cluster.Fits(n, d);
    if (!fits) {
      std::string why = ExplainMember(cluster, d, false);
      if (members.size() > 1) why = fmt::format("member {}", why);
      return why;
    }
  }
  // Each member fits alone, but not all at once.
  Cluster trial = cluster;
  FirstFitPolicy first_fit;
  size_t placed = 0;
  for (const Demand& d : members) {
    std::optional<Placement> p = first_fit.Place(trial, d);
    if (!p.has_value() || !trial.Allocate(*p).ok()) {
      return fmt::format("its {} members do not fit at once: {} do, then the next {}", members.size(), placed,
                         ExplainMember(trial, d, false));
    }
    ++placed;
  }
  return "waiting for its turn";
}

std::optional<std::string> ExplainNeverFits(const Cluster& empty, const std::vector<Demand>& members) {
  for (const Demand& d : members) {
    bool fits = false;
    for (int n = 0; n < empty.node_count() && !fits; ++n) fits = empty.FitsEmpty(n, d);
    if (!fits) return ExplainMember(empty, d, true);
  }
  if (members.size() > 1) {
    Cluster trial = empty;
    FirstFitPolicy first_fit;
    if (!PlaceGang(trial, first_fit, members).has_value()) {
      return fmt::format("its {} members cannot all run at once even on an empty pool of {} nodes",
                         members.size(), empty.node_count());
    }
  }
  return std::nullopt;
}

}  // namespace ava::sched
