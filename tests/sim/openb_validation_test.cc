#include <gtest/gtest.h>

#include <cmath>

#include "sim/fgd_reference.h"
#include "sim/openb_curves.h"
#include "sim/openb_experiment.h"
#include "sim_test_util.h"
#include "test_util.h"

namespace ava::sim {
namespace {

// Cells where our curve differs from the published one (or one of them is empty).
int Mismatches(const Curve& ours, const Curve& ref, double tolerance, std::string* first) {
  int bad = 0;
  for (int x = 0; x < kCurvePoints; ++x) {
    const bool differ = ours.present[x] != ref.present[x] ||
                        (ours.present[x] && std::fabs(ours.value[x] - ref.value[x]) > tolerance);
    if (differ && bad++ == 0) {
      *first = "column " + std::to_string(x) + ": ours " + std::to_string(ours.value[x]) + ", published " +
               std::to_string(ref.value[x]);
    }
  }
  return bad;
}

void ExpectSameAsPublished(const std::string& traces, const std::string& workload, int64_t seed,
                           const std::vector<std::string>& policies) {
  const std::string csv = traces + "/alibaba-gpu-v2023/csv/";
  Result<OpenbExperiment> e =
      OpenbExperiment::Load(csv + "openb_node_list_gpu_node.csv", csv + workload + ".csv");
  ASSERT_OK(e);
  Result<FgdReference> ref = FgdReference::Load(traces + "/fgd-expected-results");
  ASSERT_OK(ref);
  for (const std::string& policy : policies) {
    Result<OpenbRunResult> run = e->Run(policy, seed);
    ASSERT_OK(run);
    OpenbCurves curves = Discretize(run->events, e->total_gpus());
    const std::string_view label = ReferenceLabel(policy);
    const std::pair<CurveKind, const Curve*> kinds[] = {{CurveKind::kAlloc, &curves.alloc},
                                                        {CurveKind::kFrag, &curves.frag},
                                                        {CurveKind::kFragRatio, &curves.frag_ratio}};
    for (const auto& [kind, ours] : kinds) {
      const Curve* published = ref->Find(kind, workload, label, seed);
      ASSERT_NE(published, nullptr) << workload << " " << label << " " << seed;
      std::string first;
      // Two-decimal cells must be identical; the unrounded frag/idle mean to 1e-9.
      const double tolerance = kind == CurveKind::kFragRatio ? 1e-9 : 1e-9;
      EXPECT_EQ(Mismatches(*ours, *published, tolerance, &first), 0)
          << workload << " " << policy << " seed " << seed << " curve " << static_cast<int>(kind) << ": "
          << first;
    }
  }
}

// One seed of the published grid on two workloads, every deterministic baseline: the port must
// match the published rows cell for cell. The full grid runs from bench/sched/run_fgd_grid.sh.
TEST(OpenbValidationTest, DefaultTraceSeed42MatchesThePublishedRows) {
  AVA_REQUIRE_TRACES(traces);
  ExpectSameAsPublished(traces, "openb_pod_list_default", 42,
                        {"dot-product", "gpu-clustering", "gpu-packing", "best-fit", "fgd"});
}

TEST(OpenbValidationTest, MultiGpu50Seed42MatchesThePublishedRows) {
  AVA_REQUIRE_TRACES(traces);
  ExpectSameAsPublished(traces, "openb_pod_list_multigpu50", 42,
                        {"dot-product", "gpu-clustering", "gpu-packing", "best-fit", "fgd"});
}

}  // namespace
}  // namespace ava::sim
