#include "sched/cluster.h"

#include "sched_test_util.h"

namespace ava::sched {
namespace {

using testing::MustBuild;
using testing::MustResolve;
using testing::Nodes;

TEST(ClusterTest, AllocateAndReleaseKeepTheBooks) {
  Cluster c = MustBuild(Nodes("n", 2, 4));
  EXPECT_EQ(c.total_gpus(), 8);
  Placement p;
  p.node = 1;
  p.gpu_mask = 0b0110;
  p.gpu_milli = 1000;
  p.cpu_milli = 8000;
  p.memory_bytes = 1 << 30;
  ASSERT_OK(c.Allocate(p));
  EXPECT_EQ(c.allocated_gpu_milli(), 2000);
  EXPECT_EQ(c.node(1).free_gpus, 2);
  EXPECT_EQ(c.node(1).cpu_left, 56000);
  EXPECT_EQ(c.node(1).residents[2], 1);
  // The same GPUs cannot be taken twice.
  EXPECT_STATUS(c.Allocate(p), kFailedPrecondition);
  ASSERT_OK(c.Release(p));
  EXPECT_TRUE(c.node(1).idle());
  EXPECT_EQ(c.allocated_gpu_milli(), 0);
  // Nor released twice.
  EXPECT_STATUS(c.Release(p), kFailedPrecondition);
}

TEST(ClusterTest, FractionsShareAGpuUpToItsCapacity) {
  Cluster c = MustBuild(Nodes("n", 1, 1));
  Placement p;
  p.node = 0;
  p.gpu_mask = 1;
  p.gpu_milli = 400;
  ASSERT_OK(c.Allocate(p));
  ASSERT_OK(c.Allocate(p));
  EXPECT_EQ(c.node(0).gpu_left[0], 200);
  EXPECT_STATUS(c.Allocate(p), kFailedPrecondition);
  EXPECT_EQ(c.node(0).gpu_left[0], 200);
  Demand d = MustResolve(c, Request::Fraction(200));
  EXPECT_TRUE(c.Fits(0, d));
  d = MustResolve(c, Request::Fraction(201));
  EXPECT_FALSE(c.Fits(0, d));
}

TEST(ClusterTest, ResolveNamesUnknownModels) {
  Cluster c = MustBuild(testing::Join(Nodes("a", 1, 2, "T4"), Nodes("b", 1, 8, "A100")));
  Request r = Request::Gpus(1);
  r.gpu_models = {"H100"};
  Result<Demand> d = c.Resolve(r);
  ASSERT_STATUS(d, kNotFound);
  EXPECT_NE(d.status().message().find("no node has GPU model 'H100' (this pool has: A100, T4)"),
            std::string::npos)
      << d.status();
  r.gpu_models = {"T4"};
  Demand t4 = MustResolve(c, r);
  EXPECT_TRUE(c.Fits(0, t4));
  EXPECT_FALSE(c.Fits(1, t4));
}

TEST(ClusterTest, RanksDecideTheVisitingOrder) {
  Cluster c = MustBuild(Nodes("n", 3, 1));
  ASSERT_OK(c.SetRanks({2, 0, 1}));
  EXPECT_EQ(c.order(), (std::vector<int>{1, 2, 0}));
  EXPECT_STATUS(c.SetRanks({0, 0, 1}), kInvalidArgument);
}

TEST(ClusterTest, IdenticalNodesShareOneTopology) {
  Cluster c = MustBuild(Nodes("n", 3, 8));
  EXPECT_EQ(c.node(0).topology.get(), c.node(2).topology.get());
}

}  // namespace
}  // namespace ava::sched
