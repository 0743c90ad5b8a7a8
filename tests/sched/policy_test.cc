#include <random>

#include "sched/ava_policy.h"
#include "sched/fgd_policy.h"
#include "sched/gpu_packing_policy.h"
#include "sched/policy_factory.h"
#include "sched_test_util.h"

namespace ava::sched {
namespace {

using testing::MustBuild;
using testing::MustBuildYaml;
using testing::MustResolve;
using testing::Nodes;
using testing::Shape;

std::unique_ptr<Policy> Make(std::string_view name,
                             std::shared_ptr<const WorkloadProfile> profile = nullptr) {
  PolicyOptions o;
  o.profile = std::move(profile);
  Result<std::unique_ptr<Policy>> p = MakePolicy(name, o);
  EXPECT_TRUE(p.ok()) << p.status();
  return std::move(p).value();
}

Placement Take(Cluster& c, int node, uint32_t mask, int milli = 1000, int64_t cpu = 0) {
  Placement p;
  p.node = node;
  p.gpu_mask = mask;
  p.gpu_milli = milli;
  p.cpu_milli = cpu;
  EXPECT_OK(c.Allocate(p));
  return p;
}

// The seed's case: two 8-GPU machines, one already running a 2-GPU job. The next 2-GPU job must
// join it so that the other machine stays whole for an 8-GPU job.
TEST(PolicyTest, PackingKeepsAWholeMachineFree) {
  Cluster c = MustBuild(Nodes("n", 2, 8));
  Take(c, 1, 0b11);  // n-1 is in use; n-0 comes first in rank order
  auto profile = testing::Profile(c, {{Shape(2, 1000), 5}, {Shape(8, 1000), 5}, {Shape(1, 1000), 5}});
  const Demand two = MustResolve(c, Request::Gpus(2));
  EXPECT_EQ(GpuPackingPolicy::PackingScore(c.node(1), two), 48);
  EXPECT_EQ(GpuPackingPolicy::PackingScore(c.node(0), two), 25);
  for (const char* name : {"gpu-packing", "best-fit", "fgd", "ava"}) {
    std::unique_ptr<Policy> policy = Make(name, profile);
    std::optional<Placement> p = policy->Place(c, two);
    ASSERT_TRUE(p.has_value()) << name;
    EXPECT_EQ(p->node, 1) << name << " should keep n-0 whole";
  }
  // Those that do not care about whole machines take the first or the emptier node.
  EXPECT_EQ(Make("first-fit")->Place(c, two)->node, 0);
  EXPECT_EQ(Make("spread")->Place(c, two)->node, 0);
  // Following packing, the 8-GPU job still fits.
  std::unique_ptr<Policy> ava = Make("ava", profile);
  ASSERT_OK(c.Allocate(*ava->Place(c, two)));
  std::optional<Placement> eight = ava->Place(c, MustResolve(c, Request::Gpus(8)));
  ASSERT_TRUE(eight.has_value());
  EXPECT_EQ(eight->node, 0);
}

constexpr char kV100Pcie[] = R"(nodes:
  - name: v100-{i}
    count: 2
    cpu: 48
    memory: 384GiB
    gpu: {model: V100, memory: 32GiB}
    sockets:
      - {cpu: 24, pcie_switches: [[0, 1], [2, 3]]}
      - {cpu: 24, pcie_switches: [[4, 5], [6, 7]]}
)";

TEST(PolicyTest, TwoGpusGoOnOneSwitchRatherThanAcrossSockets) {
  Cluster c = MustBuildYaml(kV100Pcie);
  Take(c, 0, 0b101);  // GPUs 0 and 2 busy: the lowest free pair, 1 and 3, spans two switches
  const Demand two = MustResolve(c, Request::Gpus(2));
  // Only v100-0 is considered: the other node is made unattractive by taking all but 0 and 4.
  Take(c, 1, 0b11101110);  // v100-1 keeps GPUs 0 and 4 free: a pair across sockets (SYS)
  std::optional<Placement> topo = Make("topology")->Place(c, two);
  ASSERT_TRUE(topo.has_value());
  EXPECT_EQ(topo->node, 0);
  EXPECT_EQ(topo->gpu_indices(), (std::vector<int>{4, 5}));  // one PCIe switch
  auto profile = testing::Profile(c, {{Shape(2, 1000), 1}, {Shape(1, 1000), 1}});
  std::optional<Placement> ava = Make("ava", profile)->Place(c, two);
  ASSERT_TRUE(ava.has_value());
  EXPECT_EQ(ava->node, 0);
  EXPECT_EQ(ava->gpu_indices(), (std::vector<int>{4, 5}));
  // Lowest-index choice would have crossed switches.
  std::optional<Placement> packing = Make("gpu-packing")->Place(c, two);
  EXPECT_EQ(packing->gpu_indices(), (std::vector<int>{1, 3}));
}

TEST(PolicyTest, NvLinkCountsMoreThanASharedSwitch) {
  Cluster c = MustBuildYaml(R"(nodes:
  - name: box
    gpu: {model: P100}
    sockets:
      - {pcie_switches: [[0, 1]]}
      - {pcie_switches: [[2, 3]]}
    nvlink: [[0, 2, 1]]
)");
  Take(c, 0, 0b1000);
  std::optional<Placement> p = Make("topology")->Place(c, MustResolve(c, Request::Gpus(2)));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->gpu_indices(), (std::vector<int>{0, 2}));
}

TEST(PolicyTest, TopologyPrefersTheNodeWithTheBetterPair) {
  Cluster c = MustBuildYaml(kV100Pcie);
  Take(c, 0, 0b11101110);  // v100-0: GPUs 0 and 4 free (across sockets)
  Take(c, 1, 0b11110011);  // v100-1: GPUs 2 and 3 free (one switch)
  std::optional<Placement> p = Make("topology")->Place(c, MustResolve(c, Request::Gpus(2)));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->node, 1);
  EXPECT_EQ(p->gpu_indices(), (std::vector<int>{2, 3}));
}

// Whatever the policy, fractions on one GPU never add up to more than the GPU.
TEST(PolicyTest, FractionalGpusAreNeverOverCommitted) {
  const gpu::Inventory inv = testing::Join(Nodes("a", 3, 2, "T4", 32000), Nodes("b", 2, 4, "V100", 64000));
  Cluster proto = MustBuild(inv);
  auto profile = testing::Profile(proto, {{Shape(1, 300, 1000), 3},
                                          {Shape(1, 700, 2000), 2},
                                          {Shape(1, 1000, 4000), 2},
                                          {Shape(2, 1000, 8000), 1},
                                          {Shape(0, 0, 4000), 1}});
  for (std::string_view name : PolicyNames()) {
    Cluster c = proto;
    std::unique_ptr<Policy> policy = Make(name, profile);
    std::mt19937 rng(7);
    std::vector<std::vector<int>> taken(c.node_count(), std::vector<int>(4, 0));
    int placed = 0;
    for (int i = 0; i < 400; ++i) {
      const int kind = static_cast<int>(rng() % 5);
      Request r = kind == 0   ? Request::Gpus(2, 2000)
                  : kind == 1 ? Request::Gpus(1, 1000)
                              : Request::Fraction(100 + static_cast<int>(rng() % 800), 500);
      std::optional<Placement> p = policy->Place(c, MustResolve(c, r));
      if (!p.has_value()) continue;
      ASSERT_OK(c.Allocate(*p));
      ++placed;
      for (int g : p->gpu_indices()) {
        taken[p->node][g] += p->gpu_milli;
        ASSERT_LE(taken[p->node][g], 1000)
            << name << " over-committed GPU " << g << " of " << c.node(p->node).name;
      }
    }
    EXPECT_GT(placed, 10) << name;
    for (int n = 0; n < c.node_count(); ++n) {
      for (int g = 0; g < c.node(n).gpu_count; ++g) EXPECT_EQ(c.node(n).gpu_left[g], 1000 - taken[n][g]);
    }
  }
}

TEST(PolicyTest, FgdPutsAFractionOnThePartlyUsedGpu) {
  Cluster c = MustBuild(Nodes("n", 1, 2));
  Take(c, 0, 0b10, 500);  // GPU 1 has 500 left, GPU 0 is whole
  auto profile = testing::Profile(c, {{Shape(1, 500), 1}, {Shape(1, 1000), 1}});
  const Demand half = MustResolve(c, Request::Fraction(500));
  for (const char* name : {"fgd", "ava", "best-fit"}) {
    std::optional<Placement> p = Make(name, profile)->Place(c, half);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->gpu_indices(), (std::vector<int>{1})) << name << " should keep GPU 0 whole";
  }
}

// FGD sees that n-0 can still host one more usual pod after a CPU job and calls it free of
// fragmentation; Ava sees that n-0's remaining CPU cannot feed its four idle GPUs.
TEST(PolicyTest, AvaAvoidsStrandingGpusWithoutCpu) {
  Cluster c = MustBuild(Nodes("n", 2, 4, "V100", 64000));
  Take(c, 0, 0, 0, 44000);  // n-0: 20 cores left for 4 GPUs; n-1: 64 cores
  auto profile = testing::Profile(c, {{Shape(1, 1000, 8000), 10}, {Shape(0, 0, 10000), 1}});
  const Demand cpu_job = MustResolve(c, Request{0, 1000, {}, 10000, 0});
  EXPECT_EQ(Make("fgd", profile)->Place(c, cpu_job)->node, 0);
  auto ava = std::make_unique<AvaPolicy>(profile);
  EXPECT_EQ(ava->Place(c, cpu_job)->node, 1);
  EXPECT_NEAR(ava->CpuPerGpuMilli(0), 8.0, 1e-9);  // 8000 CPU milli per 1000 milli-GPU
}

// T4-only jobs want more than all the T4s: a job that can run anywhere leaves them alone.
TEST(PolicyTest, AvaKeepsScarceModelsForTheJobsThatNeedThem) {
  Cluster c = MustBuild(testing::Join(Nodes("t4", 1, 2, "T4"), Nodes("v100", 1, 8, "V100")));
  WorkloadShape t4_only = Shape(1, 1000);
  t4_only.gpu_models = "T4";
  auto profile = testing::Profile(c, {{t4_only, 3}, {Shape(1, 1000), 7}});
  auto ava = std::make_unique<AvaPolicy>(profile);
  const Demand any = MustResolve(c, Request::Gpus(1));
  std::optional<Placement> p = ava->Place(c, any);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(c.node(p->node).name, "v100-0");
  EXPECT_DOUBLE_EQ(ava->Scarcity(c.ModelId("T4")), 1.0);
  EXPECT_DOUBLE_EQ(ava->Scarcity(c.ModelId("V100")), 0.0);
  // A T4-only job still goes to the T4s.
  Request t4 = Request::Gpus(1);
  t4.gpu_models = {"T4"};
  EXPECT_EQ(c.node(ava->Place(c, MustResolve(c, t4))->node).name, "t4-0");
}

// A 530 gap is what the next 470 pod fills to 60; a 320 pod there would leave 210, which no usual
// pod fills. FGD sees only that the 530 gap cannot take a whole GPU and fills it; Ava starts a GPU
// that a 650 pod can complete.
TEST(PolicyTest, AvaAvoidsLeavingDeadGaps) {
  Cluster c = MustBuild(Nodes("n", 1, 2, "V100", 64000));
  Take(c, 0, 0b01, 470);  // GPU 0: 530 left; GPU 1 free
  auto profile = testing::Profile(
      c,
      {{Shape(1, 470, 4000), 3}, {Shape(1, 320, 4000), 3}, {Shape(1, 650, 16000), 3}, {Shape(1, 1000), 1}});
  const Demand small = MustResolve(c, Request::Fraction(320, 4000));
  EXPECT_EQ(Make("fgd", profile)->Place(c, small)->gpu_indices(), (std::vector<int>{0}));
  auto ava = std::make_unique<AvaPolicy>(profile);
  EXPECT_EQ(ava->Place(c, small)->gpu_indices(), (std::vector<int>{1}));
  const int v100 = c.ModelId("V100");
  EXPECT_LT(ava->GapWaste(v100, 64000, 530), 100);  // the 470s fill it to 60
  EXPECT_GT(ava->GapWaste(v100, 64000, 210), 200);  // dead
  EXPECT_EQ(ava->GapWaste(v100, 64000, 1000), 0);   // a free GPU is not waste
  // With less CPU left than any fractional shape needs, no gap gets filled.
  EXPECT_EQ(ava->GapWaste(v100, 3000, 530), 530);
}

TEST(PolicyTest, GpuClusteringKeepsShapesTogether) {
  Cluster c = MustBuild(Nodes("n", 3, 4));
  Take(c, 0, 0b1, 300);  // n-0 runs a fraction
  Take(c, 1, 0b1);       // n-1 runs a 1-GPU job
  std::unique_ptr<Policy> p = Make("gpu-clustering");
  EXPECT_EQ(p->Place(c, MustResolve(c, Request::Fraction(500)))->node, 0);
  EXPECT_EQ(p->Place(c, MustResolve(c, Request::Gpus(1)))->node, 1);
  EXPECT_EQ(p->Place(c, MustResolve(c, Request::Gpus(2)))->node, 2);  // an empty node beats mixing shapes
}

TEST(PolicyTest, DotProductAlignsFreeAndRequestedResources) {
  // n-0 has lots of CPU and few GPUs free, n-1 the opposite: a GPU-heavy job goes where it
  // overlaps least with what is free, leaving CPU-rich room for CPU-heavy work.
  Cluster c = MustBuild(Nodes("n", 2, 4, "V100", 64000));
  Take(c, 0, 0b0111, 1000, 0);  // n-0: 1 GPU, 64 cores free
  Take(c, 1, 0, 0, 56000);      // n-1: 4 GPUs, 8 cores free
  std::unique_ptr<Policy> p = Make("dot-product");
  EXPECT_EQ(p->Place(c, MustResolve(c, Request::Gpus(1, 1000)))->node, 0);
  EXPECT_EQ(p->Place(c, MustResolve(c, Request{0, 1000, {}, 4000, 0}))->node, 1);
}

TEST(PolicyTest, RandomIsUniformAndRepeatableForASeed) {
  Cluster c = MustBuild(Nodes("n", 4, 1));
  const Demand one = MustResolve(c, Request::Gpus(1));
  std::vector<int> hits(4, 0), first;
  PolicyOptions o;
  o.seed = 9;
  std::unique_ptr<Policy> a = std::move(MakePolicy("random", o)).value();
  std::unique_ptr<Policy> b = std::move(MakePolicy("random", o)).value();
  for (int i = 0; i < 4000; ++i) {
    const int n = a->Place(c, one)->node;
    ++hits[n];
    EXPECT_EQ(b->Place(c, one)->node, n);
  }
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(hits[n], 1000, 150) << n;
}

TEST(PolicyTest, NoNodeFitsGivesNoPlacement) {
  Cluster c = MustBuild(Nodes("n", 2, 2));
  for (std::string_view name : PolicyNames()) {
    auto profile = testing::Profile(c, {{Shape(1, 1000), 1}});
    EXPECT_FALSE(Make(name, profile)->Place(c, MustResolve(c, Request::Gpus(3))).has_value()) << name;
  }
}

TEST(PolicyFactoryTest, NamesUnknownPoliciesAndMissingProfiles) {
  Result<std::unique_ptr<Policy>> p = MakePolicy("tetris", {});
  ASSERT_STATUS(p, kNotFound);
  EXPECT_NE(p.status().message().find("known: first-fit"), std::string::npos);
  EXPECT_STATUS(MakePolicy("fgd", {}), kInvalidArgument);
  for (std::string_view name : PolicyNames()) {
    Cluster c = MustBuild(Nodes("n", 1, 1));
    PolicyOptions o;
    o.profile = testing::Profile(c, {{Shape(1, 1000), 1}});
    Result<std::unique_ptr<Policy>> made = MakePolicy(name, o);
    ASSERT_OK(made);
    EXPECT_EQ((*made)->name(), name);
  }
}

}  // namespace
}  // namespace ava::sched
