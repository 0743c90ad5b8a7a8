#include "sim/job_replay.h"

#include <gtest/gtest.h>

#include "sim_test_util.h"
#include "test_util.h"

namespace ava::sim {
namespace {

JobTrace OneDay(const std::string& traces) {
  JobTraceOptions o;
  o.trace_dir = traces;
  o.days = 1;
  o.load = 1.2;
  Result<JobTrace> t = MakeVenusJobTrace(o);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.value_or(JobTrace{});
}

TEST(JobTraceTest, KeepsEachBinsJobsAndGpus) {
  AVA_REQUIRE_TRACES(traces);
  JobTrace t = OneDay(traces);
  // 2020-07-01 in the Venus series: 847 GPU jobs asking 5,330 GPUs (summed from the CSV).
  EXPECT_EQ(t.jobs.size(), 847u);
  int64_t gpus = 0;
  for (const SimJob& j : t.jobs) {
    gpus += j.gpus;
    EXPECT_GE(j.runtime, std::chrono::seconds(1));
    EXPECT_LT(j.submit, t.window);
    EXPECT_FALSE(j.group.empty());
  }
  EXPECT_EQ(gpus, 5330);
  EXPECT_EQ(t.groups.size(), 15u);
  EXPECT_NEAR(t.natural_load * t.runtime_scale, 1.2, 0.02);
  JobTraceOptions bad;
  bad.trace_dir = traces;
  bad.start = "2021-01-01";
  EXPECT_STATUS(MakeVenusJobTrace(bad), kInvalidArgument);
}

TEST(JobReplayTest, EveryJobRunsAndShortestFirstWaitsLessThanFifo) {
  AVA_REQUIRE_TRACES(traces);
  JobTrace t = OneDay(traces);
  gpu::Inventory pool = VenusPool(t);
  EXPECT_EQ(pool.gpu_count(), 1080);
  std::map<std::string, JobReplayResult> r;
  for (const char* q : {"fifo", "sjf", "ava"}) {
    JobReplayConfig c;
    c.queue = q;
    Result<JobReplayResult> res = ReplayJobs(pool, t, c);
    ASSERT_OK(res);
    r[q] = *res;
    EXPECT_EQ(res->completed + res->rejected, static_cast<int64_t>(t.jobs.size())) << q;
    EXPECT_EQ(res->unfinished, 0) << q;
    EXPECT_GT(res->gpu_utilization, 0) << q;
    EXPECT_LE(res->gpu_utilization, 1.0) << q;
    EXPECT_LE(res->avg_wait_s, res->avg_jct_s) << q;
    EXPECT_LE(res->p95_wait_s, res->max_wait_s) << q;
  }
  EXPECT_LE(r["sjf"].avg_wait_s, r["fifo"].avg_wait_s);
  EXPECT_LE(r["ava"].avg_wait_s, r["fifo"].avg_wait_s);
  // Deterministic.
  JobReplayConfig c;
  Result<JobReplayResult> again = ReplayJobs(pool, t, c);
  ASSERT_OK(again);
  EXPECT_EQ(again->avg_jct_s, r["ava"].avg_jct_s);
  JobReplayConfig bad;
  bad.queue = "lifo";
  EXPECT_STATUS(ReplayJobs(pool, t, bad), kInvalidArgument);
}

}  // namespace
}  // namespace ava::sim
