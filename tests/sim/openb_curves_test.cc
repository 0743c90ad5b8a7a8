#include "sim/openb_curves.h"

#include <gtest/gtest.h>

namespace ava::sim {
namespace {

OpenbEvent Event(int64_t arrived, int64_t used, double frag = 0, double ratio = 0) {
  OpenbEvent e;
  e.arrived = arrived;
  e.used = used;
  e.frag = frag;
  e.frag_ratio = ratio;
  return e;
}

TEST(OpenbCurvesTest, BinsByArrivedPercentAndFillsGapsFromNeighbours) {
  // 100 GPUs: one percent of arrived demand is 1,000 milli.
  std::vector<OpenbEvent> events = {Event(400, 400, 10, 1), Event(900, 800, 30, 3), Event(1400, 1200, 50, 5),
                                    Event(3000, 2500, 70, 7)};
  OpenbCurves c = Discretize(events, 100);
  ASSERT_TRUE(c.alloc.present[0]);
  EXPECT_DOUBLE_EQ(c.alloc.value[0], 0.4);  // x = round(0.4) = 0
  // x = round(0.9) = 1 and round(1.4) = 1: both in column 1, mean of 0.8 and 1.2.
  EXPECT_DOUBLE_EQ(c.alloc.value[1], 1.0);
  EXPECT_DOUBLE_EQ(c.frag_ratio.value[1], 4.0);
  EXPECT_DOUBLE_EQ(c.frag.value[1], 0.04);  // 100 × 40 / 1000 / 100
  // Column 2 has no event of its own: it takes columns 1..3.
  ASSERT_TRUE(c.alloc.present[2]);
  EXPECT_DOUBLE_EQ(c.alloc.value[2], 1.5);  // mean of 0.8, 1.2, 2.5
  EXPECT_TRUE(c.alloc.present[3]);
  EXPECT_TRUE(c.alloc.present[4]);   // from column 3
  EXPECT_FALSE(c.alloc.present[5]);  // nothing within one column
}

TEST(OpenbCurvesTest, RoundsHalfToEvenLikePython) {
  // 2.5 % arrived rounds to 2, 3.5 % to 4.
  OpenbCurves c = Discretize({Event(2500, 1000), Event(3500, 2000)}, 100);
  EXPECT_DOUBLE_EQ(c.alloc.value[2], 1.0);
  EXPECT_DOUBLE_EQ(c.alloc.value[4], 2.0);
  EXPECT_FALSE(c.alloc.present[10]);
}

TEST(OpenbCurvesTest, PairwiseSumMatchesNumpyBlocking) {
  std::vector<double> v;
  for (int i = 0; i < 300; ++i) v.push_back(0.1 * (i % 7) + 1e-3 * i);
  double naive = 0;
  for (double x : v) naive += x;
  EXPECT_NEAR(PairwiseSum(v.data(), v.size()), naive, 1e-9);
  // Below eight values numpy adds in order.
  const double three[] = {0.1, 0.2, 0.3};
  EXPECT_EQ(PairwiseSum(three, 3), (0.1 + 0.2) + 0.3);
  // Eight to 128 values: eight running sums combined pairwise.
  double eight[8] = {1e16, 1, -1e16, 1, 0, 0, 0, 0};
  EXPECT_EQ(PairwiseSum(eight, 8), ((1e16 + 1.0) + (-1e16 + 1.0)) + 0.0);
}

}  // namespace
}  // namespace ava::sim
