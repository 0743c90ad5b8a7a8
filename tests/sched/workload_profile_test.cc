#include "sched/workload_profile.h"

#include "sched/node_fragmentation.h"
#include "sched_test_util.h"

namespace ava::sched {
namespace {

using testing::MustBuild;
using testing::Nodes;
using testing::Shape;

TEST(WorkloadProfileTest, KeepsTheMostCommonShapesUpToTheCoverage) {
  Cluster c = MustBuild(Nodes("n", 1, 8));
  std::vector<WorkloadShape> samples;
  samples.insert(samples.end(), 60, Shape(1, 1000, 4000));
  samples.insert(samples.end(), 30, Shape(1, 500, 2000));
  samples.insert(samples.end(), 6, Shape(2, 1000, 8000));
  samples.insert(samples.end(), 4, Shape(0, 0, 1000));
  Result<WorkloadProfile> p = WorkloadProfile::Build(samples, c, 95);
  ASSERT_OK(p);
  ASSERT_EQ(p->classes().size(), 3u);  // 60 + 30 + 6 = 96 % >= 95 %
  EXPECT_EQ(p->classes()[0].shape, Shape(1, 1000, 4000));
  EXPECT_DOUBLE_EQ(p->classes()[0].weight, 0.6 / 0.96);
  double sum = 0;
  for (const WorkloadClass& k : p->classes()) sum += k.weight;
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(p->covered(), 0.96, 1e-12);
  EXPECT_STATUS(WorkloadProfile::Build({}, c, 95), kInvalidArgument);
  EXPECT_STATUS(WorkloadProfile::Build(samples, c, 0), kInvalidArgument);
}

TEST(NodeFragmentationTest, CountsWhatTheUsualWorkloadCannotUse) {
  Cluster c = MustBuild(Nodes("n", 1, 2));
  auto profile = testing::Profile(c, {{Shape(1, 1000, 1000), 1}, {Shape(1, 500, 1000), 1}});
  int16_t left[2] = {1000, 300};
  FragState s;
  s.model = 0;
  s.gpu_count = 2;
  s.cpu_left = 8000;
  s.gpu_left = left;
  // The 300 left on GPU 1 is too small for either class: fragment for both (weights 1/2 each).
  EXPECT_DOUBLE_EQ(NodeFragmentation(s, *profile), 300.0);
  // Without CPU, nothing on the node is usable.
  s.cpu_left = 500;
  EXPECT_DOUBLE_EQ(NodeFragmentation(s, *profile), 1300.0);
}

}  // namespace
}  // namespace ava::sched
