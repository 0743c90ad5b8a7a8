#include "sim/openb_grid.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

#include "common/thread_pool.h"
#include "sim/openb_experiment.h"

namespace ava::sim {

const std::vector<std::string>& PublishedWorkloads() {
  static const std::vector<std::string> kWorkloads = {
      "default",    "cpu050",     "cpu100",      "cpu200",     "cpu250",    "gpushare40",
      "gpushare60", "gpushare80", "gpushare100", "gpuspec10",  "gpuspec20", "gpuspec25",
      "gpuspec33",  "multigpu20", "multigpu30",  "multigpu40", "multigpu50"};
  return kWorkloads;
}

CurveComparison CompareCurves(const Curve& ours, const Curve* published) {
  CurveComparison c;
  if (published == nullptr) return c;
  c.available = true;
  for (int x = 0; x < kCurvePoints; ++x) {
    if (ours.present[x] != published->present[x]) {
      ++c.mismatched;
      continue;
    }
    if (!ours.present[x]) continue;
    const double d = std::fabs(ours.value[x] - published->value[x]);
    c.max_abs_diff = std::max(c.max_abs_diff, d);
    if (d > 1e-9) ++c.mismatched;
  }
  return c;
}

Result<std::vector<OpenbRunSummary>> RunOpenbGrid(const OpenbGridOptions& options,
                                                  const OpenbProgress& progress) {
  const std::string csv_dir = options.trace_dir + "/alibaba-gpu-v2023/csv/";
  std::unique_ptr<FgdReference> reference;
  if (options.compare) {
    Result<FgdReference> ref = FgdReference::Load(options.trace_dir + "/fgd-expected-results");
    if (ref.ok()) reference = std::make_unique<FgdReference>(std::move(ref).value());
  }
  std::vector<std::shared_ptr<const OpenbExperiment>> experiments;
  for (const std::string& w : options.workloads) {
    Result<OpenbExperiment> e = OpenbExperiment::Load(csv_dir + "openb_node_list_gpu_node.csv",
                                                      csv_dir + "openb_pod_list_" + w + ".csv");
    if (!e.ok()) return e.status().Annotate(fmt::format("workload {}", w));
    experiments.push_back(std::make_shared<const OpenbExperiment>(std::move(e).value()));
  }
  const size_t total = options.workloads.size() * options.policies.size() * options.seeds.size();
  std::vector<OpenbRunSummary> out(total);
  std::vector<Status> errors(total);
  std::mutex mu;
  size_t done = 0;
  {
    ThreadPool pool(static_cast<size_t>(std::max(1, options.threads)), "openb");
    size_t k = 0;
    for (size_t w = 0; w < options.workloads.size(); ++w) {
      for (const std::string& policy : options.policies) {
        for (const int64_t seed : options.seeds) {
          const size_t slot = k++;
          pool.Submit([&, w, policy, seed, slot] {
            OpenbRunSummary& s = out[slot];
            s.workload = options.workloads[w];
            s.policy = policy;
            s.seed = seed;
            const auto start = std::chrono::steady_clock::now();
            Result<OpenbRunResult> run = experiments[w]->Run(policy, seed, options.tune);
            if (!run.ok()) {
              errors[slot] = run.status();
              return;
            }
            s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            s.arrivals = static_cast<int64_t>(run->events.size());
            s.failed = run->failed;
            s.curves = Discretize(run->events, experiments[w]->total_gpus());
            const std::string_view label = ReferenceLabel(policy);
            if (reference != nullptr && !label.empty() && options.tune == 1.3) {
              const std::string stem = "openb_pod_list_" + s.workload;
              s.alloc = CompareCurves(s.curves.alloc, reference->Find(CurveKind::kAlloc, stem, label, seed));
              s.frag = CompareCurves(s.curves.frag, reference->Find(CurveKind::kFrag, stem, label, seed));
              s.frag_ratio = CompareCurves(s.curves.frag_ratio,
                                           reference->Find(CurveKind::kFragRatio, stem, label, seed));
            }
            std::lock_guard<std::mutex> lock(mu);
            ++done;
            if (progress) progress(s, done, total);
          });
        }
      }
    }
  }
  for (const Status& s : errors) AVA_RETURN_IF_ERROR(s);
  return out;
}

}  // namespace ava::sim
