// JobManager: jobs started, stopped, their output shipped from saved offsets, and — after an agent
// restart — re-attached from the state directory, with real supervisors and with state directories
// written by hand for the cases a crash leaves behind.
#include "agent/job_manager.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>

#include "agent/agent_test_util.h"
#include "agent/process_id.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava {
namespace {

using nlohmann::json;

class JobManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(MakeDirs(tree_.Sub("dataset/mnist"))); }
  void TearDown() override {
    // Supervisors re-attached by a second manager are children of this process nobody reaps.
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }

  std::unique_ptr<agent::JobManager> Manager(Clock* clock = nullptr,
                                             Nanos start_timeout = std::chrono::seconds(30)) {
    agent::JobManagerOptions o;
    o.state_dir = state_.path();
    o.supervisor_argv = {testing::AgentBinary(), "supervise"};
    o.node = "n1";
    o.node_gpu_count = 2;
    o.tree_root = tree_.path();
    o.mode = agent::MountMode::kSymlink;
    o.kill_grace = std::chrono::milliseconds(500);
    o.base_env = {{"PATH", "/usr/bin:/bin"}};
    o.start_timeout = start_timeout;
    o.clock = clock != nullptr ? clock : &clock_;
    o.logger = &log_;
    return std::make_unique<agent::JobManager>(o);
  }
  static agent::Assignment Job(agent::JobId id, json spec, std::vector<int> gpus = {1}) {
    agent::Assignment a;
    a.job_id = id;
    a.spec = std::move(spec);
    a.gpus = std::move(gpus);
    return a;
  }
  // Ships everything the manager has, collecting it per job.
  void ShipAll(agent::JobManager* m) {
    ASSERT_OK(m->ShipLogs(
        [&](agent::JobId id, const std::vector<agent::OutputRecord>& records) {
          for (const auto& r : records) shipped_[id] += r.data;
          return Status::OK();
        },
        1 << 20));
  }
  std::optional<agent::FinishedJob> FinishedOf(const agent::JobSnapshot& s, agent::JobId id) {
    for (const auto& f : s.finished) {
      if (f.job_id == id) return f;
    }
    return std::nullopt;
  }
  static bool IsRunning(const agent::JobSnapshot& s, agent::JobId id) {
    for (const auto& r : s.running) {
      if (r.job_id == id) return true;
    }
    return false;
  }
  // Ships and polls until the job is reported finished (a hang guard, not a speed check).
  agent::FinishedJob WaitFinished(agent::JobManager* m, agent::JobId id) {
    std::optional<agent::FinishedJob> f;
    EXPECT_TRUE(testing::WaitFor([&] {
      ShipAll(m);
      f = FinishedOf(m->Poll(), id);
      return f.has_value();
    })) << "job "
        << id << " never finished";
    return f.value_or(agent::FinishedJob{});
  }
  std::string JobDirPath(agent::JobId id, int member = 0) {
    return state_.Sub("jobs/" + std::to_string(id) + "-" + std::to_string(member));
  }
  bool Exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
  }

  testing::TempDir state_, tree_;
  SystemClock clock_;
  CapturingLogger log_;
  std::map<agent::JobId, std::string> shipped_;
};

TEST_F(JobManagerTest, AJobRunsAndIsFinishedOnlyOnceItsOutputIsShipped) {
  auto m = Manager();
  m->Start(Job(1, {{"command", "echo gpus=$CUDA_VISIBLE_DEVICES; echo bad >&2; exit 2"}}));
  ASSERT_TRUE(m->Knows({1, 0}));
  // Until its output is shipped, an ended job is still listed as running.
  ASSERT_TRUE(testing::WaitFor([&] { return Exists(JobDirPath(1) + "/exit.json"); }));
  agent::JobSnapshot before = m->Poll();
  EXPECT_TRUE(IsRunning(before, 1));
  EXPECT_FALSE(FinishedOf(before, 1).has_value());
  agent::FinishedJob f = WaitFinished(m.get(), 1);
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_EQ(f.error, "exited with code 2");
  EXPECT_EQ(shipped_[1], "gpus=1\nbad\n");
  m->Acknowledge({{1, 0}});
  EXPECT_FALSE(m->Knows({1, 0}));
  EXPECT_FALSE(Exists(JobDirPath(1)));
}

TEST_F(JobManagerTest, AJobThatRanIsListedRunningOnceEvenIfItWasQuick) {
  auto m = Manager();
  m->Start(Job(9, {{"command", "true"}}));
  ASSERT_TRUE(testing::WaitFor([&] { return Exists(JobDirPath(9) + "/exit.json"); }));
  ShipAll(m.get());
  agent::JobSnapshot first = m->Poll();  // avad learns that, and where, it ran
  EXPECT_TRUE(IsRunning(first, 9));
  EXPECT_FALSE(FinishedOf(first, 9).has_value());
  agent::JobSnapshot second = m->Poll();
  ASSERT_TRUE(FinishedOf(second, 9).has_value());
  EXPECT_EQ(FinishedOf(second, 9)->exit_code, 0);
}

TEST_F(JobManagerTest, AJobThatNeverRanIsFinishedAtOnce) {
  auto m = Manager();
  m->Start(Job(10, {{"command", "true"}}, {7}));  // no GPU 7 here
  ShipAll(m.get());
  agent::JobSnapshot s = m->Poll();
  EXPECT_FALSE(IsRunning(s, 10));
  ASSERT_TRUE(FinishedOf(s, 10).has_value());
}

TEST_F(JobManagerTest, AMissingDatasetFailsAtStartWithThatMessage) {
  auto m = Manager();
  m->Start(Job(2, {{"command", "true"}, {"mounts", {{{"path", "/data"}, {"source", "dataset/imagenet"}}}}}));
  agent::FinishedJob f = WaitFinished(m.get(), 2);
  EXPECT_FALSE(f.exit_code.has_value());
  EXPECT_NE(f.error.find("mount source 'dataset/imagenet' does not exist"), std::string::npos) << f.error;
  EXPECT_NE(shipped_[2].find("mount source 'dataset/imagenet' does not exist"), std::string::npos)
      << shipped_[2];
}

TEST_F(JobManagerTest, AnExistingDatasetIsLinkedForTheJob) {
  ASSERT_OK(WriteFileAtomic(tree_.Sub("dataset/mnist/labels.txt"), "7 2 1\n"));
  auto m = Manager();
  m->Start(Job(3, {{"command", "cat /data/labels.txt; echo $AVA_MOUNT_DATA"},
                   {"mounts", {{{"path", "/data"}, {"source", "dataset/mnist"}}}}}));
  agent::FinishedJob f = WaitFinished(m.get(), 3);
  EXPECT_EQ(f.exit_code, 0) << f.error << shipped_[3];
  EXPECT_EQ(shipped_[3], "7 2 1\n" + JobDirPath(3) + "/root/data\n");
}

TEST_F(JobManagerTest, AGpuThatIsNotHereFailsTheJob) {
  auto m = Manager();
  m->Start(Job(4, {{"command", "true"}}, {5}));
  agent::FinishedJob f = WaitFinished(m.get(), 4);
  EXPECT_NE(f.error.find("GPU 5 is not on node n1"), std::string::npos) << f.error;
}

TEST_F(JobManagerTest, KillStopsARunningJob) {
  auto m = Manager();
  m->Start(Job(5, {{"command", "echo up; sleep 1000"}}));
  ASSERT_TRUE(testing::WaitFor([&] {
    ShipAll(m.get());
    return shipped_[5] == "up\n";
  }));
  agent::JobSnapshot s = m->Poll();
  ASSERT_TRUE(IsRunning(s, 5));
  m->Kill(5, "cancelled by alice");
  m->Kill(5, "cancelled by alice");  // avad repeats kills until it sees the end; harmless
  agent::FinishedJob f = WaitFinished(m.get(), 5);
  EXPECT_EQ(f.signal, SIGTERM);
  EXPECT_EQ(f.error, "cancelled by alice");
}

TEST_F(JobManagerTest, ARepeatedStartDoesNotRunTheJobTwice) {
  auto m = Manager();
  m->Start(Job(6, {{"command", "echo once >> " + tree_.Sub("count")}}));
  m->Start(Job(6, {{"command", "echo once >> " + tree_.Sub("count")}}));
  WaitFinished(m.get(), 6);
  EXPECT_EQ(ReadFile(tree_.Sub("count")).value_or(""), "once\n");
}

TEST_F(JobManagerTest, ARestartedAgentReattachesAndShipsOnlyTheRest) {
  const std::string go = tree_.Sub("go");
  pid_t job_pid = 0;
  {
    auto first = Manager();
    first->Start(Job(
        7, {{"command", "echo before; while [ ! -e " + go + " ]; do sleep 0.05; done; echo after; exit 4"}}));
    ASSERT_TRUE(testing::WaitFor([&] {
      ShipAll(first.get());
      return shipped_[7] == "before\n";
    }));
    agent::JobSnapshot s = first->Poll();
    ASSERT_EQ(s.running.size(), 1u);
    job_pid = static_cast<pid_t>(s.running[0].pid);
  }  // the agent "dies"; the job's supervisor does not
  auto second = Manager();
  ASSERT_OK(second->Reattach());
  ASSERT_TRUE(second->Knows({7, 0}));
  agent::JobSnapshot s = second->Poll();
  ASSERT_TRUE(IsRunning(s, 7));
  EXPECT_EQ(s.running[0].pid, job_pid);
  EXPECT_TRUE(log_.Contains("re-attached job 7: running")) << ::testing::PrintToString(log_.Lines());
  ASSERT_OK(WriteFileAtomic(go, ""));
  agent::FinishedJob f = WaitFinished(second.get(), 7);
  EXPECT_EQ(f.exit_code, 4);
  EXPECT_EQ(shipped_[7], "before\nafter\n");  // nothing shipped twice
}

TEST_F(JobManagerTest, TwoMembersOfOneJobOnOneNodeRunSideBySide) {
  auto m = Manager();
  for (int member : {0, 1}) {
    agent::Assignment a =
        Job(8, {{"command", "echo rank=$AVA_GANG_MEMBER gpus=$CUDA_VISIBLE_DEVICES; sleep 1000"}}, {member});
    a.member = member;
    a.gang_size = 2;
    m->Start(a);
  }
  ASSERT_TRUE(m->Knows({8, 0}));
  ASSERT_TRUE(m->Knows({8, 1}));
  ASSERT_TRUE(testing::WaitFor([&] {
    ShipAll(m.get());
    return shipped_[8].size() == std::string("rank=0 gpus=0\n").size() * 2;
  }));
  EXPECT_NE(shipped_[8].find("rank=0 gpus=0\n"), std::string::npos) << shipped_[8];
  EXPECT_NE(shipped_[8].find("rank=1 gpus=1\n"), std::string::npos) << shipped_[8];
  agent::JobSnapshot s = m->Poll();
  ASSERT_EQ(s.running.size(), 2u);
  EXPECT_NE(s.running[0].member, s.running[1].member);
  m->Kill(8, "cancelled by alice");  // every member of the job stops
  std::optional<agent::FinishedJob> f0, f1;
  ASSERT_TRUE(testing::WaitFor([&] {
    ShipAll(m.get());
    for (const auto& f : m->Poll().finished) (f.member == 0 ? f0 : f1) = f;
    return f0 && f1;
  }));
  EXPECT_EQ(f0->error, "cancelled by alice");
  EXPECT_EQ(f1->member, 1);
  EXPECT_EQ(f1->error, "cancelled by alice");
}

TEST_F(JobManagerTest, AWorkspaceIsActiveOnlyWhileItComputesOrWrites) {
  FakeClock fake;  // the wall time the agent reports; the jobs themselves run in real time
  auto m = Manager(&fake);
  m->Start(Job(11, {{"kind", "workspace"}, {"command", "exec sleep 1000"}}));
  m->Start(Job(12, {{"kind", "workspace"}, {"command", "while :; do :; done"}}));
  m->Start(Job(13, {{"command", "exec sleep 1000"}}));
  auto activity = [&](agent::JobId id) -> std::optional<Nanos> {
    for (const auto& r : m->Poll().running) {
      if (r.job_id == id) return r.last_activity;
    }
    ADD_FAILURE() << "job " << id << " is not running";
    return std::nullopt;
  };
  ASSERT_TRUE(testing::WaitFor([&] {  // both supervisors have recorded their job
    return Exists(JobDirPath(11) + "/supervisor.json") && Exists(JobDirPath(12) + "/supervisor.json");
  }));
  ASSERT_TRUE(testing::WaitFor([&] {
    Result<std::optional<agent::SupervisorRecord>> r = agent::JobDir(JobDirPath(11)).ReadSupervisor();
    return r.ok() && r->has_value() && (*r)->job.valid();
  }));
  const Nanos start = fake.WallNow();
  EXPECT_EQ(activity(11), start);  // first seen: counts as activity
  EXPECT_EQ(activity(12), start);
  EXPECT_EQ(activity(13), std::nullopt);  // a job, not a workspace: nothing to watch
  fake.Advance(std::chrono::minutes(10));
  // The sleeping workspace does not move; the spinning one does, as soon as its CPU time ticks.
  EXPECT_EQ(activity(11), start);
  ASSERT_TRUE(testing::WaitFor([&] {
    fake.Advance(std::chrono::seconds(1));
    std::optional<Nanos> a = activity(12);
    return a && *a > start;
  }));
  EXPECT_EQ(activity(11), start);
  for (agent::JobId id : {11, 12, 13}) m->Kill(id, "test over");
}

// --- State directories as a crash leaves them, without live processes. ---

void WriteOutput(const agent::JobDir& dir, const std::vector<std::string>& lines) {
  Result<agent::OutputLogWriter> w = agent::OutputLogWriter::Open(dir.output_file());
  ASSERT_OK(w);
  for (const auto& l : lines) ASSERT_OK(w->Append(agent::OutputStream::kStdout, Nanos(1), l));
}

agent::JobDir MakeJobDir(const std::string& state, agent::JobId id, bool with_launch = true) {
  agent::JobDir dir(state + "/jobs/" + std::to_string(id) + "-0");
  EXPECT_OK(MakeDirs(dir.path()));
  agent::Assignment a;
  a.job_id = id;
  a.spec = {{"command", "true"}};
  EXPECT_OK(dir.WriteAssignment(a));
  if (with_launch) {
    agent::LaunchPlan p;
    p.job_id = id;
    p.argv = {"true"};
    EXPECT_OK(dir.WriteLaunch(p));
  }
  return dir;
}

// The identity of a process that existed and is gone.
agent::ProcessId DeadProcess() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  Result<agent::ProcessId> id = agent::ReadProcessId(pid);
  agent::ProcessId out = id.ok() ? *id : agent::ProcessId{pid, 1};
  ::waitpid(pid, nullptr, 0);
  return out;
}

TEST_F(JobManagerTest, AJobThatEndedWhileTheAgentWasAwayIsReportedWithItsRealStatus) {
  agent::JobDir dir = MakeJobDir(state_.path(), 20);
  WriteOutput(dir, {"epoch 1\n", "epoch 2\n", "done\n"});
  Result<agent::OutputLogBatch> first = agent::ReadOutputLog(dir.output_file(), 0, 1);  // one record
  ASSERT_OK(first);
  ASSERT_OK(dir.WriteShipped(first->next_offset));  // "epoch 1" reached avad before the crash
  ASSERT_OK(dir.WriteSupervisor({DeadProcess(), DeadProcess(), Nanos(1)}));
  agent::FinishedJob result{20, 0, std::nullopt, "", json{{"accuracy", 0.9}}};
  ASSERT_OK(dir.WriteExit({result, Nanos(2)}));

  auto m = Manager();
  ASSERT_OK(m->Reattach());
  agent::FinishedJob f = WaitFinished(m.get(), 20);
  EXPECT_EQ(f.exit_code, 0);
  EXPECT_EQ(f.report, (json{{"accuracy", 0.9}}));
  EXPECT_EQ(shipped_[20], "epoch 2\ndone\n");
}

TEST_F(JobManagerTest, ASupervisorThatDiedWithoutARecordMeansLost) {
  agent::JobDir dir = MakeJobDir(state_.path(), 21);
  WriteOutput(dir, {"partial\n"});
  ASSERT_OK(dir.WriteSupervisor({DeadProcess(), DeadProcess(), Nanos(1)}));
  auto m = Manager();
  ASSERT_OK(m->Reattach());
  ShipAll(m.get());
  agent::JobSnapshot s = m->Poll();
  EXPECT_FALSE(IsRunning(s, 21));
  EXPECT_FALSE(FinishedOf(s, 21).has_value());  // left out of both lists: avad marks it lost
  EXPECT_EQ(s.lost, (std::vector<agent::JobKey>{{21, 0}}));
  EXPECT_EQ(shipped_[21], "partial\n");  // its output still reaches avad
  m->Acknowledge(s.lost);
  EXPECT_FALSE(Exists(dir.path()));
}

TEST_F(JobManagerTest, AnUnsupervisedJobIsStoppedWhenItIsDeclaredLost) {
  agent::JobDir dir = MakeJobDir(state_.path(), 22);
  pid_t job = ::fork();
  ASSERT_GE(job, 0);
  if (job == 0) {
    ::setpgid(0, 0);
    ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(job, job);
  Result<agent::ProcessId> job_id = agent::ReadProcessId(job);
  ASSERT_OK(job_id);
  ASSERT_OK(dir.WriteSupervisor({DeadProcess(), *job_id, Nanos(1)}));
  auto m = Manager();
  ASSERT_OK(m->Reattach());
  int st = 0;
  ASSERT_EQ(::waitpid(job, &st, 0), job);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  EXPECT_TRUE(log_.Contains("killed its unsupervised process group"));
}

TEST_F(JobManagerTest, AJobPreparedButNeverLaunchedIsForgotten) {
  agent::JobDir dir = MakeJobDir(state_.path(), 23, /*with_launch=*/false);
  auto m = Manager();
  ASSERT_OK(m->Reattach());
  EXPECT_FALSE(m->Knows({23, 0}));
  EXPECT_FALSE(Exists(dir.path()));
}

TEST_F(JobManagerTest, ASupervisorThatNeverRecordedItselfIsGivenTime) {
  MakeJobDir(state_.path(), 24);  // launched, but no supervisor.json yet
  {
    auto patient = Manager(nullptr, std::chrono::hours(1));
    ASSERT_OK(patient->Reattach());
    EXPECT_TRUE(IsRunning(patient->Poll(), 24));
  }
  FakeClock fake;
  auto m = Manager(&fake, std::chrono::seconds(30));
  ASSERT_OK(m->Reattach());
  EXPECT_TRUE(IsRunning(m->Poll(), 24));
  fake.Advance(std::chrono::seconds(31));
  ShipAll(m.get());
  agent::JobSnapshot s = m->Poll();
  EXPECT_EQ(s.lost, (std::vector<agent::JobKey>{{24, 0}}));
  EXPECT_TRUE(log_.Contains("its supervisor never started"));
}

TEST_F(JobManagerTest, AvadRefusingABatchDropsItButAnOutageKeepsIt) {
  agent::JobDir dir = MakeJobDir(state_.path(), 25);
  WriteOutput(dir, {"a\n", "b\n"});
  ASSERT_OK(dir.WriteExit({agent::FinishedJob{25, 0, std::nullopt, "", std::nullopt}, Nanos(1)}));
  auto m = Manager();
  ASSERT_OK(m->Reattach());
  // avad unreachable: nothing is lost, the offset stays.
  Status down = m->ShipLogs(
      [](agent::JobId, const std::vector<agent::OutputRecord>&) { return Status::Unavailable("down"); }, 2);
  EXPECT_STATUS(down, kUnavailable);
  EXPECT_EQ(*dir.ReadShipped(), 0u);
  EXPECT_TRUE(IsRunning(m->Poll(), 25));
  // avad answers 404 for the job: the batch is dropped and shipping goes on.
  int calls = 0;
  ASSERT_OK(m->ShipLogs(
      [&](agent::JobId, const std::vector<agent::OutputRecord>&) {
        ++calls;
        return Status::NotFound("no such job");
      },
      2));
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(FinishedOf(m->Poll(), 25).has_value());
}

}  // namespace
}  // namespace ava
