#include "sim/go_rand.h"

#include <gtest/gtest.h>

#include "sim/openb_experiment.h"
#include "sim_test_util.h"
#include "test_util.h"

namespace ava::sim {
namespace {

TEST(GoRandTest, IntnStaysInRangeAndPermIsAPermutation) {
  GoRand rng(7);
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = rng.Intn(13);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 13);
  }
  std::vector<int> p = rng.Perm(100);
  std::vector<bool> seen(100, false);
  for (int v : p) {
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 100);
    ASSERT_FALSE(seen[v]);
    seen[v] = true;
  }
}

TEST(GoRandTest, SameSeedSameStream) {
  GoRand a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const int64_t x = a.Int63();
    EXPECT_EQ(x, b.Int63());
    differs |= x != c.Int63();
  }
  EXPECT_TRUE(differs);
}

// The published protocol's checkpoints for seed 42 pin the whole stream: the shuffle, the tune
// draws, the ten skipped draws and the node permutation.
TEST(OpenbSequenceTest, MatchesThePublishedCheckpointsForSeed42) {
  AVA_REQUIRE_TRACES(traces);
  const std::string csv = traces + "/alibaba-gpu-v2023/csv/";
  Result<OpenbExperiment> e =
      OpenbExperiment::Load(csv + "openb_node_list_gpu_node.csv", csv + "openb_pod_list_default.csv");
  ASSERT_OK(e);
  OpenbExperiment::Sequence s = e->MakeSequence(42, 1.3);
  const auto& pods = e->pods();
  ASSERT_GE(s.arrivals.size(), 5u);
  EXPECT_EQ(pods[s.arrivals[0]].name, "openb-pod-0255");
  EXPECT_EQ(pods[s.arrivals[1]].name, "openb-pod-1685");
  EXPECT_EQ(pods[s.arrivals[2]].name, "openb-pod-6784");
  EXPECT_EQ(pods[s.arrivals[3]].name, "openb-pod-4463");
  EXPECT_EQ(pods[s.arrivals[4]].name, "openb-pod-0602");
  EXPECT_EQ(s.arrivals.size(), 10866u);
  EXPECT_EQ(pods[s.arrivals.back()].name, "openb-pod-5877");
  int64_t demand = 0;
  for (int i : s.arrivals) demand += pods[i].total_gpu_milli();
  EXPECT_EQ(demand, 8075080);
  const auto& nodes = e->nodes();
  ASSERT_EQ(nodes[0].name, "openb-node-0000");
  EXPECT_EQ(s.node_rank[0], 601);
  EXPECT_EQ(s.node_rank[1], 815);
  EXPECT_EQ(s.node_rank[2], 450);
  EXPECT_EQ(nodes[260].name, "openb-node-0260");
  EXPECT_EQ(s.node_rank[260], 0);
}

TEST(OpenbSequenceTest, TuneDownTrimsMultiGpu50) {
  AVA_REQUIRE_TRACES(traces);
  const std::string csv = traces + "/alibaba-gpu-v2023/csv/";
  Result<OpenbExperiment> e =
      OpenbExperiment::Load(csv + "openb_node_list_gpu_node.csv", csv + "openb_pod_list_multigpu50.csv");
  ASSERT_OK(e);
  EXPECT_EQ(e->pods().size(), 9061u);
  EXPECT_EQ(e->MakeSequence(42, 1.3).arrivals.size(), 6361u);
}

}  // namespace
}  // namespace ava::sim
