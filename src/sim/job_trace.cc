#include "sim/job_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "sim/csv_reader.h"

namespace ava::sim {
namespace {

// Splits `gpus` over `jobs` jobs in powers of two, keeping the total when it allows.
std::vector<int> SplitSizes(int jobs, int64_t gpus, std::mt19937_64& rng) {
  std::vector<int> sizes(jobs, 1);
  int64_t left = gpus - jobs;
  if (left <= 0) return sizes;
  // Everyone gets the largest power of two that the average allows, then random jobs double
  // while the remainder lasts.
  int base = 1;
  while (static_cast<int64_t>(base) * 2 * jobs <= gpus) base *= 2;
  std::fill(sizes.begin(), sizes.end(), base);
  left = gpus - static_cast<int64_t>(base) * jobs;
  std::vector<int> order(jobs);
  for (int i = 0; i < jobs; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (int i : order) {
    if (left < base) break;
    sizes[i] += base;
    left -= base;
  }
  // What remains (less than `base`) goes to one job as a smaller power-of-two step each.
  for (int step = base / 2; step >= 1 && left > 0; step /= 2) {
    if (left >= step) {
      sizes[order[0]] += step;
      left -= step;
    }
  }
  return sizes;
}

}  // namespace

Result<JobTrace> MakeVenusJobTrace(const JobTraceOptions& o) {
  if (o.days < 1) return Status::InvalidArgument("days must be at least 1");
  const std::string helios = o.trace_dir + "/helios-derived/";
  AVA_ASSIGN_OR_RETURN(CsvTable arrivals, CsvTable::Load(helios + "Venus_cluster_throughput.csv"));
  AVA_ASSIGN_OR_RETURN(CsvTable vcs, CsvTable::Load(helios + "Venus_vc_config.csv"));
  AVA_ASSIGN_OR_RETURN(CsvTable runtimes, CsvTable::Load(o.trace_dir + "/philly-derived/philly_runtime.csv"));
  const int time_col = arrivals.Column("time"), jobs_col = arrivals.Column("submit_gpu_job"),
            gpus_col = arrivals.Column("submit_gpu_num");
  if (time_col < 0 || jobs_col < 0 || gpus_col < 0) {
    return Status::InvalidArgument(
        "Venus_cluster_throughput.csv: expected columns time, submit_gpu_job, submit_gpu_num");
  }
  JobTrace t;
  for (size_t r = 0; r < vcs.rows(); ++r) {
    AVA_ASSIGN_OR_RETURN(int64_t nodes, vcs.Int(r, 1));
    if (nodes > 0) t.groups.push_back(VirtualCluster{vcs.Cell(r, 0), static_cast<int>(nodes)});
  }
  if (t.groups.empty()) return Status::InvalidArgument("Venus_vc_config.csv: no virtual clusters");
  std::vector<double> philly;
  for (size_t r = 0; r < runtimes.rows(); ++r) {
    AVA_ASSIGN_OR_RETURN(double v, runtimes.Double(r, 0));
    philly.push_back(std::max(1.0, v));
  }
  if (philly.empty()) return Status::InvalidArgument("philly_runtime.csv: no runtimes");

  std::mt19937_64 rng(o.seed);
  const Nanos bin = std::chrono::minutes(10);
  const int bins = o.days * 24 * 6;
  size_t first = arrivals.rows();
  for (size_t r = 0; r < arrivals.rows(); ++r) {
    if (arrivals.Cell(r, time_col) >= o.start) {
      first = r;
      break;
    }
  }
  if (first + bins > arrivals.rows()) {
    return Status::InvalidArgument(fmt::format(
        "the Venus series has no {} days from {} (it covers 2020-04-01 … 2020-09-28)", o.days, o.start));
  }
  std::uniform_int_distribution<int64_t> in_bin(0, bin.count() - 1);
  std::uniform_int_distribution<size_t> pick_runtime(0, philly.size() - 1);
  double offered = 0;  // GPU-seconds as drawn
  int seq = 0;
  for (int b = 0; b < bins; ++b) {
    AVA_ASSIGN_OR_RETURN(int64_t jobs, arrivals.Int(first + b, jobs_col));
    AVA_ASSIGN_OR_RETURN(int64_t gpus, arrivals.Int(first + b, gpus_col));
    if (jobs <= 0) continue;
    for (int size : SplitSizes(static_cast<int>(jobs), std::max<int64_t>(gpus, jobs), rng)) {
      SimJob j;
      j.id = fmt::format("venus-{:06d}", seq++);
      j.gpus = size;
      j.submit = bin * b + Nanos(in_bin(rng));
      const double seconds = philly[pick_runtime(rng)];
      j.runtime = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(seconds));
      offered += seconds * size;
      // A group large enough to hold the job, in proportion to its size.
      int64_t weight_sum = 0;
      for (const VirtualCluster& vc : t.groups) {
        if (static_cast<int64_t>(vc.nodes) * o.gpus_per_node >= size) weight_sum += vc.nodes;
      }
      if (weight_sum == 0) {
        j.group = std::max_element(t.groups.begin(), t.groups.end(), [](const auto& a, const auto& b) {
                    return a.nodes < b.nodes;
                  })->name;
      } else {
        int64_t x = std::uniform_int_distribution<int64_t>(0, weight_sum - 1)(rng);
        for (const VirtualCluster& vc : t.groups) {
          if (static_cast<int64_t>(vc.nodes) * o.gpus_per_node < size) continue;
          if (x < vc.nodes) {
            j.group = vc.name;
            break;
          }
          x -= vc.nodes;
        }
      }
      t.jobs.push_back(std::move(j));
    }
  }
  if (t.jobs.empty())
    return Status::InvalidArgument(fmt::format("no GPU jobs in {} days from {}", o.days, o.start));
  std::stable_sort(t.jobs.begin(), t.jobs.end(),
                   [](const SimJob& a, const SimJob& b) { return a.submit < b.submit; });
  t.window = bin * bins;
  const double capacity = static_cast<double>(o.pool_gpus) * std::chrono::duration<double>(t.window).count();
  t.natural_load = offered / capacity;
  if (o.load > 0) {
    t.runtime_scale = o.load / t.natural_load;
    for (SimJob& j : t.jobs) {
      const double s = std::max(1.0, std::chrono::duration<double>(j.runtime).count() * t.runtime_scale);
      j.runtime = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(s));
    }
  }
  return t;
}

}  // namespace ava::sim
