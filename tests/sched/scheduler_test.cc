#include "sched/scheduler.h"

#include "sched/first_fit_policy.h"
#include "sched/gang_placer.h"
#include "sched_test_util.h"

namespace ava::sched {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::Nodes;

Gang Job(std::string id, int gpus, std::string group = "g", int priority = 0, Nanos runtime = Nanos(0),
         std::string user = "u") {
  Gang g;
  g.id = std::move(id);
  g.user = std::move(user);
  g.group = std::move(group);
  g.priority = priority;
  g.expected_runtime = runtime;
  g.members.push_back(Request::Gpus(gpus, 1000));
  return g;
}

class SchedulerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Scheduler> Make(const gpu::Inventory& inv, SchedulerOptions o = {}) {
    Result<std::unique_ptr<Scheduler>> s = Scheduler::Create(inv, std::move(o), &clock_, nullptr, &metrics_);
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value();
  }
  static std::vector<std::string> Started(const ScheduleResult& r) {
    std::vector<std::string> ids;
    for (const auto& s : r.started) ids.push_back(s.id);
    return ids;
  }
  static std::string Reason(const Scheduler& s, const std::string& id) {
    std::optional<JobView> v = s.Job(id);
    return v.has_value() ? v->reason : "<no such job>";
  }

  FakeClock clock_;
  MetricsRegistry metrics_;
};

TEST_F(SchedulerTest, NeverFittingRequestsAreRejectedAtOnceWithTheReason) {
  SchedulerOptions o;
  o.quotas.groups["cv"].gpu_milli = 4000;
  auto s = Make(Nodes("n", 2, 8, "V100"), o);
  Status big = s->Submit(Job("big", 16));
  ASSERT_STATUS(big, kFailedPrecondition);
  EXPECT_NE(big.message().find(
                "job big can never run here: needs 16 GPUs on one node; the largest node has 8 (n-0)"),
            std::string::npos)
      << big;
  Gang h100 = Job("h100", 1);
  h100.members[0].gpu_models = {"H100"};
  Status model = s->Submit(h100);
  ASSERT_STATUS(model, kNotFound);
  EXPECT_NE(model.message().find("no node has GPU model 'H100' (this pool has: V100)"), std::string::npos)
      << model;
  Gang cpu = Job("cpu", 1);
  cpu.members[0].cpu_milli = 100000;
  Status cores = s->Submit(cpu);
  ASSERT_STATUS(cores, kFailedPrecondition);
  EXPECT_NE(cores.message().find("at most 64 CPUs"), std::string::npos) << cores;
  Gang three = Job("three", 8);
  three.members.push_back(Request::Gpus(8));
  three.members.push_back(Request::Gpus(8));
  Status gang = s->Submit(three);
  ASSERT_STATUS(gang, kFailedPrecondition);
  EXPECT_NE(gang.message().find("its 3 members cannot all run at once even on an empty pool"),
            std::string::npos)
      << gang;
  Status quota = s->Submit(Job("q", 8, "cv"));
  ASSERT_STATUS(quota, kResourceExhausted);
  EXPECT_NE(quota.message().find("group cv's quota of 4 GPUs can never cover 8 GPUs"), std::string::npos)
      << quota;
  ASSERT_OK(s->Submit(Job("ok", 8)));
  EXPECT_STATUS(s->Submit(Job("ok", 1)), kAlreadyExists);
  EXPECT_TRUE(s->Queue().size() == 1);
  EXPECT_EQ(metrics_.GetCounter("ava_sched_rejected_total", "").Value(), 6u);
}

TEST_F(SchedulerTest, WaitingJobsHavePositionsAndSayWhatTheyLack) {
  auto s = Make(Nodes("n", 2, 8));
  ASSERT_OK(s->Submit(Job("a", 2)));
  ASSERT_OK(s->Submit(Job("b", 4)));
  ASSERT_OK(s->Submit(Job("c", 6)));
  EXPECT_EQ(Started(s->Schedule()).size(), 3u);
  // 16 GPUs, 12 taken: the best node has at most 6 free? No: a+b packed on one node leaves 2 and 6.
  ASSERT_OK(s->Submit(Job("eight", 8)));
  ASSERT_OK(s->Submit(Job("four", 4)));
  s->Schedule();
  std::vector<JobView> q = s->Queue();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].id, "eight");
  EXPECT_EQ(q[0].position, 1);
  EXPECT_EQ(q[1].id, "four");
  EXPECT_EQ(q[1].position, 2);
  Cluster snap = s->Snapshot();
  int largest = 0;
  std::string where;
  for (int n = 0; n < snap.node_count(); ++n) {
    if (snap.node(n).free_gpus > largest) {
      largest = snap.node(n).free_gpus;
      where = snap.node(n).name;
    }
  }
  EXPECT_NE(q[0].reason.find(fmt::format("needs 8 GPUs on one node; the largest free block is {} on node {}",
                                         largest, where)),
            std::string::npos)
      << q[0].reason;
  EXPECT_EQ(metrics_.GetGauge("ava_sched_queue_length", "").Value(), 2);
}

TEST_F(SchedulerTest, QuotaRefusalNamesTheQuotaAndLetsOthersPass) {
  SchedulerOptions o;
  o.quotas.groups["cv"].gpu_milli = 4000;
  auto s = Make(Nodes("n", 2, 8), o);
  ASSERT_OK(s->Submit(Job("cv1", 2, "cv")));
  ASSERT_OK(s->Submit(Job("cv2", 2, "cv")));
  ASSERT_OK(s->Submit(Job("cv3", 2, "cv")));
  ASSERT_OK(s->Submit(Job("nlp1", 2, "nlp")));
  EXPECT_EQ(Started(s->Schedule()), (std::vector<std::string>{"cv1", "cv2", "nlp1"}));
  EXPECT_EQ(Reason(*s, "cv3"), "group cv is at its quota of 4 GPUs (holds 4 GPUs, asks 2 GPUs)");
  EXPECT_EQ(s->GroupUsage("cv"), 4000);
  ASSERT_OK(s->Release("cv1"));
  EXPECT_EQ(Started(s->Schedule()), (std::vector<std::string>{"cv3"}));
}

TEST_F(SchedulerTest, PerModelQuotaSteersToOtherModels) {
  SchedulerOptions o;
  o.quotas.groups["cv"].model_gpu_milli["A100"] = 1000;
  auto s = Make(testing::Join(Nodes("a100", 1, 4, "A100"), Nodes("t4", 1, 4, "T4")), o);
  Gang a = Job("a", 1, "cv");
  a.members[0].gpu_models = {"A100"};
  ASSERT_OK(s->Submit(a));
  Gang b = Job("b", 1, "cv");
  b.members[0].gpu_models = {"A100"};
  ASSERT_OK(s->Submit(b));
  ASSERT_OK(s->Submit(Job("c", 1, "cv")));
  ScheduleResult r = s->Schedule();
  EXPECT_EQ(Started(r), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Reason(*s, "b"), "group cv is at its quota of 1 GPU A100 (holds 1 GPU)");
  EXPECT_EQ(s->Snapshot().node(r.started[1].placement[0].node).name, "t4-0");
}

TEST_F(SchedulerTest, GangIsAllOrNothing) {
  auto s = Make(Nodes("n", 2, 8));
  ASSERT_OK(s->Submit(Job("small", 4)));
  ASSERT_EQ(Started(s->Schedule()).size(), 1u);
  Gang gang = Job("gang", 8);
  gang.members.push_back(Request::Gpus(8));
  ASSERT_OK(s->Submit(gang));
  EXPECT_TRUE(s->Schedule().started.empty());
  // The member that found a node was rolled back: only the small job holds GPUs.
  EXPECT_EQ(s->Snapshot().allocated_gpu_milli(), 4000);
  EXPECT_NE(Reason(*s, "gang").find("its 2 members do not fit at once: 1 do"), std::string::npos)
      << Reason(*s, "gang");
  ASSERT_OK(s->Release("small"));
  ScheduleResult r = s->Schedule();
  ASSERT_EQ(Started(r), (std::vector<std::string>{"gang"}));
  ASSERT_EQ(r.started[0].placement.size(), 2u);
  EXPECT_NE(r.started[0].placement[0].node, r.started[0].placement[1].node);
}

TEST(GangPlacerTest, RollsBackWhatItTookWhenAMemberDoesNotFit) {
  Cluster c = testing::MustBuild(Nodes("n", 3, 4));
  FirstFitPolicy ff;
  std::vector<Demand> members(4, testing::MustResolve(c, Request::Gpus(3)));
  const Cluster before = c;
  EXPECT_FALSE(PlaceGang(c, ff, members).has_value());
  for (int n = 0; n < c.node_count(); ++n) EXPECT_EQ(c.node(n).gpu_left, before.node(n).gpu_left);
  members.pop_back();
  std::optional<GangPlacement> p = PlaceGang(c, ff, members);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(c.allocated_gpu_milli(), 9000);
}

TEST_F(SchedulerTest, PreemptsLowestPriorityLatestStartedFirstAndOnlyWhatIsNeeded) {
  auto s = Make(Nodes("n", 1, 8));
  ASSERT_OK(s->Submit(Job("low-old", 4, "g", 1)));
  s->Schedule();
  clock_.Advance(minutes(1));
  ASSERT_OK(s->Submit(Job("mid", 2, "g", 2)));
  s->Schedule();
  clock_.Advance(minutes(1));
  ASSERT_OK(s->Submit(Job("low-new", 2, "g", 1)));
  s->Schedule();
  ASSERT_EQ(s->Running().size(), 3u);

  // Two GPUs are enough: the most recently started of the lowest priority goes.
  ASSERT_OK(s->Submit(Job("urgent2", 2, "g", 5)));
  ScheduleResult r = s->Schedule();
  EXPECT_EQ(r.preempted, (std::vector<std::string>{"low-new"}));
  EXPECT_EQ(Started(r), (std::vector<std::string>{"urgent2"}));
  EXPECT_EQ(Reason(*s, "low-new"), "preempted by job urgent2");
  EXPECT_EQ(s->Job("low-new")->preemptions, 1);

  // Four GPUs: low-old alone suffices; mid (higher priority) is never touched.
  ASSERT_OK(s->Submit(Job("urgent4", 4, "g", 5)));
  r = s->Schedule();
  EXPECT_EQ(r.preempted, (std::vector<std::string>{"low-old"}));
  EXPECT_EQ(Started(r), (std::vector<std::string>{"urgent4"}));
  EXPECT_TRUE(s->Job("mid")->running);

  // Equal priority never preempts.
  ASSERT_OK(s->Submit(Job("peer", 2, "g", 2)));
  r = s->Schedule();
  EXPECT_TRUE(r.preempted.empty());
  EXPECT_FALSE(s->Job("peer")->running);
  EXPECT_EQ(metrics_.GetCounter("ava_sched_preempted_total", "").Value(), 2u);
}

TEST_F(SchedulerTest, BackfillsOnlyJobsThatDoNotDelayTheFirstInLine) {
  auto s = Make(Nodes("n", 1, 8));
  ASSERT_OK(s->Submit(Job("running", 6, "g", 0, hours(1))));
  s->Schedule();
  clock_.Advance(minutes(1));
  ASSERT_OK(s->Submit(Job("head", 8, "g", 0, hours(1))));
  ASSERT_OK(s->Submit(Job("long", 2, "g", 0, hours(3))));
  ASSERT_OK(s->Submit(Job("short", 2, "g", 0, minutes(30))));
  ScheduleResult r = s->Schedule();
  EXPECT_EQ(Started(r), (std::vector<std::string>{"short"}));
  EXPECT_NE(Reason(*s, "head")
                .find("needs 8 GPUs on one node; the largest free block is 2 on node n-0; expected to "
                      "start in about"),
            std::string::npos)
      << Reason(*s, "head");
  EXPECT_NE(Reason(*s, "long").find("would delay job head, first in line"), std::string::npos)
      << Reason(*s, "long");
  EXPECT_EQ(s->Job("head")->position, 1);
  EXPECT_EQ(s->Job("long")->position, 2);
}

TEST_F(SchedulerTest, WithoutBackfillNothingPassesTheFirstInLine) {
  SchedulerOptions o;
  o.backfill = Backfill::kNone;
  o.order = QueueOrder::kFifo;
  auto s = Make(Nodes("n", 1, 8), o);
  ASSERT_OK(s->Submit(Job("running", 6, "g", 0, hours(1))));
  s->Schedule();
  ASSERT_OK(s->Submit(Job("head", 8)));
  ASSERT_OK(s->Submit(Job("short", 2, "g", 0, minutes(30))));
  EXPECT_TRUE(s->Schedule().started.empty());
  EXPECT_NE(Reason(*s, "short").find("behind job head, first in line"), std::string::npos)
      << Reason(*s, "short");
}

TEST_F(SchedulerTest, FairShareServesTheGroupBelowItsShareFirst) {
  auto s = Make(Nodes("n", 1, 8));
  ASSERT_OK(s->Submit(Job("a-running", 6, "a")));
  s->Schedule();
  ASSERT_OK(s->Submit(Job("a-next", 2, "a")));
  clock_.Advance(minutes(1));
  ASSERT_OK(s->Submit(Job("b-next", 2, "b")));
  EXPECT_EQ(Started(s->Schedule()), (std::vector<std::string>{"b-next"}));
  EXPECT_EQ(s->Job("a-next")->position, 1);
}

TEST_F(SchedulerTest, HigherPriorityGoesFirstAndShortestFirstOrdersByRuntime) {
  auto s = Make(Nodes("n", 1, 2));
  ASSERT_OK(s->Submit(Job("low", 2, "g", 0)));
  ASSERT_OK(s->Submit(Job("high", 2, "g", 3)));
  EXPECT_EQ(Started(s->Schedule()), (std::vector<std::string>{"high"}));

  SchedulerOptions o;
  o.order = QueueOrder::kShortestFirst;
  auto sjf = Make(Nodes("m", 1, 2), o);
  ASSERT_OK(sjf->Submit(Job("slow", 2, "g", 0, hours(5))));
  ASSERT_OK(sjf->Submit(Job("unknown", 2)));
  ASSERT_OK(sjf->Submit(Job("fast", 2, "g", 0, minutes(5))));
  EXPECT_EQ(Started(sjf->Schedule()), (std::vector<std::string>{"fast"}));
  EXPECT_EQ(sjf->Job("slow")->position, 1);
  EXPECT_EQ(sjf->Job("unknown")->position, 2);
}

TEST_F(SchedulerTest, ReleaseEndsRunningJobsAndWithdrawsWaitingOnes) {
  auto s = Make(Nodes("n", 1, 4));
  ASSERT_OK(s->Submit(Job("a", 4)));
  ASSERT_OK(s->Submit(Job("b", 4)));
  s->Schedule();
  EXPECT_STATUS(s->Release("nope"), kNotFound);
  ASSERT_OK(s->Release("b"));
  EXPECT_TRUE(s->Queue().empty());
  ASSERT_OK(s->Release("a"));
  EXPECT_EQ(s->Snapshot().allocated_gpu_milli(), 0);
  EXPECT_EQ(metrics_.GetGauge("ava_sched_allocated_gpu_milli", "").Value(), 0);
}

TEST_F(SchedulerTest, FractionsShareGpusAndLearnedProfileKeepsDecisionsValid) {
  auto s = Make(Nodes("n", 2, 2));
  for (int i = 0; i < 40; ++i) {
    Gang g = Job(fmt::format("f{}", i), 1);
    g.members[0] = Request::Fraction(250 + 50 * (i % 5), 1000);
    ASSERT_OK(s->Submit(g));
  }
  ScheduleResult r = s->Schedule();
  EXPECT_GT(r.started.size(), 6u);
  Cluster c = s->Snapshot();
  for (int n = 0; n < c.node_count(); ++n) {
    for (int g = 0; g < c.node(n).gpu_count; ++g) EXPECT_GE(c.node(n).gpu_left[g], 0);
  }
}

}  // namespace
}  // namespace ava::sched

namespace ava::sched {
namespace {

// A caller that keeps its own state (avad) rebuilds a Scheduler each pass: jobs already running
// are adopted at their placements and count like any running job.
TEST_F(SchedulerTest, AdoptedJobsHoldTheirGpusAndCountAgainstQuotas) {
  SchedulerOptions o;
  o.quotas.groups["cv"].gpu_milli = 8000;
  auto s = Make(Nodes("n", 2, 8, "V100"), o);
  Placement p;
  p.node = 0;
  p.gpu_mask = 0x3F;  // six GPUs of n-0
  p.gpu_milli = 1000;
  ASSERT_OK(s->Adopt(Job("old", 6, "cv"), {p}, Nanos(0), Nanos(1)));
  ASSERT_OK(s->Submit(Job("two", 2, "other")));
  ASSERT_OK(s->Submit(Job("cv-four", 4, "cv")));
  ScheduleResult r = s->Schedule();
  ASSERT_EQ(Started(r), std::vector<std::string>{"two"});
  EXPECT_EQ(r.started[0].placement[0].node, 0);  // packed beside the adopted job, keeping n-1 whole
  EXPECT_NE(Reason(*s, "cv-four").find("quota"), std::string::npos) << Reason(*s, "cv-four");
  // A member on a node that left the pool holds nothing; a placement that does not fit is refused.
  Placement gone;
  gone.node = -1;
  ASSERT_OK(s->Adopt(Job("elsewhere", 8), {gone}, Nanos(0), Nanos(1)));
  Placement clash = p;
  EXPECT_FALSE(s->Adopt(Job("clash", 6), {clash}, Nanos(0), Nanos(1)).ok());
}

TEST_F(SchedulerTest, PreemptionSaysWhichJobTheVictimMadeRoomFor) {
  auto s = Make(Nodes("n", 1, 8, "V100"));
  Placement p;
  p.node = 0;
  p.gpu_mask = 0xFF;
  p.gpu_milli = 1000;
  ASSERT_OK(s->Adopt(Job("low", 8, "g", 0), {p}, Nanos(0), Nanos(1)));
  ASSERT_OK(s->Submit(Job("high", 4, "g", 10), Nanos(5)));
  ScheduleResult r = s->Schedule();
  ASSERT_EQ(r.preempted, std::vector<std::string>{"low"});
  EXPECT_EQ(r.preempted_for, std::vector<std::string>{"high"});
  EXPECT_EQ(Started(r), std::vector<std::string>{"high"});
}

}  // namespace
}  // namespace ava::sched
