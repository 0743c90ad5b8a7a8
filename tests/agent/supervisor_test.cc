// The job supervisor, run as the real `ava-agent supervise JOB_DIR`: what it records of a job's end
// (exit.json), what it captures of its output (output.log), and how it stops a job.
#include "agent/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent_test_util.h"
#include "agent/job_dir.h"
#include "agent/process_id.h"
#include "agent/spawn.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava {
namespace {

using agent::OutputStream;

class SupervisorTest : public ::testing::Test {
 protected:
  agent::LaunchPlan Plan(std::vector<std::string> argv) {
    agent::LaunchPlan p;
    p.job_id = 7;
    p.argv = std::move(argv);
    p.env = {{"PATH", "/usr/bin:/bin"}, {"CUDA_VISIBLE_DEVICES", "1,3"}};
    p.workdir = dir_.Sub("job/work");
    p.kill_grace = std::chrono::milliseconds(500);
    return p;
  }
  agent::LaunchPlan Shell(const std::string& script) { return Plan({"/bin/sh", "-c", script}); }

  // Writes the plan and starts the supervisor, as the agent does.
  void Launch(const agent::LaunchPlan& plan) {
    ASSERT_OK(MakeDirs(job_.path()));
    ASSERT_OK(job_.WriteLaunch(plan));
    agent::SpawnOptions spawn;
    spawn.argv = {testing::AgentBinary(), "supervise", job_.path()};
    spawn.log_path = job_.File("supervisor.log");
    spawn.blocked_signals = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
    Result<pid_t> pid = agent::SpawnDetached(spawn);
    ASSERT_OK(pid);
    supervisor_ = *pid;
  }
  // Waits for the supervisor to end and returns what it recorded.
  agent::ExitRecord Finish() {
    int st = 0;
    EXPECT_EQ(::waitpid(supervisor_, &st, 0), supervisor_);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "supervisor status " << st << "\n"
                                                       << SupervisorLog();
    Result<std::optional<agent::ExitRecord>> exit = job_.ReadExit();
    EXPECT_TRUE(exit.ok() && exit->has_value()) << "no exit.json\n" << SupervisorLog();
    return exit.ok() && exit->has_value() ? **exit : agent::ExitRecord{};
  }
  agent::ExitRecord Run(const agent::LaunchPlan& plan) {
    Launch(plan);
    return Finish();
  }
  // The job's pid once the supervisor has recorded it.
  pid_t WaitForJobPid() {
    pid_t pid = 0;
    EXPECT_TRUE(testing::WaitFor([&] {
      Result<std::optional<agent::SupervisorRecord>> r = job_.ReadSupervisor();
      if (r.ok() && r->has_value() && (*r)->job.valid()) pid = (*r)->job.pid;
      return pid > 0;
    }));
    return pid;
  }
  std::string Output() { return testing::OutputText(job_.output_file()); }
  std::string SupervisorLog() { return ReadFile(job_.File("supervisor.log")).value_or("(none)"); }
  static bool ProcessGone(pid_t pid) { return !agent::ReadProcessId(pid).ok(); }
  pid_t ReadPidFile(const std::string& name) {
    pid_t pid = 0;
    EXPECT_TRUE(testing::WaitFor([&] {
      Result<std::string> t = ReadFile(dir_.Sub(name));
      if (t.ok() && !t->empty() && t->back() == '\n') pid = std::stoi(*t);
      return pid > 0;
    }));
    return pid;
  }

  testing::TempDir dir_;
  agent::JobDir job_{dir_.Sub("job")};
  pid_t supervisor_ = 0;
};

TEST_F(SupervisorTest, ExitCodeAndOutputOfEachStream) {
  agent::ExitRecord r = Run(Shell("echo out1; echo err1 >&2; echo out2; printf 'no newline' >&2; exit 3"));
  EXPECT_EQ(r.result.job_id, 7);
  EXPECT_EQ(r.result.exit_code, 3);
  EXPECT_FALSE(r.result.signal.has_value());
  EXPECT_EQ(r.result.error, "exited with code 3");
  EXPECT_EQ(testing::StreamText(job_.output_file(), OutputStream::kStdout), "out1\nout2\n");
  EXPECT_EQ(testing::StreamText(job_.output_file(), OutputStream::kStderr), "err1\nno newline");
}

TEST_F(SupervisorTest, OutputKeepsTheOrderItWasWrittenIn) {
  // A pause between writes lets the supervisor read each before the next; the order across the two
  // streams is then the order of writing.
  Run(Shell("echo one; sleep 1; echo two >&2; sleep 1; echo three"));
  EXPECT_EQ(Output(), "o:one\ne:two\no:three\n");
}

TEST_F(SupervisorTest, ASuccessfulJobHasNoError) {
  agent::ExitRecord r = Run(Plan({"true"}));
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_EQ(r.result.error, "");
}

TEST_F(SupervisorTest, TheJobSeesItsEnvironmentAndWorkdir) {
  Run(Shell("echo \"$CUDA_VISIBLE_DEVICES\"; pwd; echo \"${HOME:-unset}\""));
  EXPECT_EQ(testing::StreamText(job_.output_file(), OutputStream::kStdout),
            "1,3\n" + dir_.Sub("job/work") + "\nunset\n");
}

TEST_F(SupervisorTest, ASignalledJobReportsTheSignal) {
  agent::ExitRecord r = Run(Shell("kill -SEGV $$"));
  EXPECT_FALSE(r.result.exit_code.has_value());
  EXPECT_EQ(r.result.signal, SIGSEGV);
  EXPECT_EQ(r.result.error, "killed by SIGSEGV");
}

TEST_F(SupervisorTest, AProgramThatCannotRunFailsAtStartWithTheReason) {
  agent::ExitRecord r = Run(Plan({"/nonexistent/train"}));
  EXPECT_FALSE(r.result.exit_code.has_value());
  EXPECT_FALSE(r.result.signal.has_value());
  EXPECT_EQ(r.result.error, "cannot run '/nonexistent/train': No such file or directory");
  EXPECT_NE(Output().find("ava-agent: cannot run '/nonexistent/train'"), std::string::npos) << Output();
}

TEST_F(SupervisorTest, KillStopsTheWholeGroupWithSigkillAfterTheGrace) {
  // The job ignores SIGTERM (and so does its background child): only SIGKILL ends them.
  Launch(Shell("trap '' TERM; sleep 1000 & echo $! > " + dir_.Sub("bg.pid") + "; echo started; wait"));
  const pid_t job = WaitForJobPid();
  const pid_t bg = ReadPidFile("bg.pid");
  ASSERT_OK(job_.WriteKill("cancelled by alice"));
  ASSERT_EQ(::kill(supervisor_, SIGTERM), 0);
  agent::ExitRecord r = Finish();
  EXPECT_EQ(r.result.signal, SIGKILL);
  EXPECT_EQ(r.result.error, "cancelled by alice");
  EXPECT_TRUE(ProcessGone(job));
  EXPECT_TRUE(ProcessGone(bg));
  EXPECT_NE(Output().find("ava-agent: stopping the job: cancelled by alice"), std::string::npos) << Output();
}

TEST_F(SupervisorTest, AJobThatHonoursSigtermEndsWithIt) {
  Launch(Shell("sleep 1000"));
  WaitForJobPid();
  ASSERT_EQ(::kill(supervisor_, SIGTERM), 0);  // no kill.json: the reason is the signal itself
  agent::ExitRecord r = Finish();
  EXPECT_EQ(r.result.signal, SIGTERM);
  EXPECT_EQ(r.result.error, "the supervisor received SIGTERM");
}

TEST_F(SupervisorTest, AKillBeforeTheSupervisorIsReadyIsNotLost) {
  // SIGTERM arrives while the supervisor is still starting: blocked from the start, it waits in the
  // pending set and stops the job as soon as the supervisor listens.
  agent::LaunchPlan plan = Shell("sleep 1000");
  ASSERT_OK(MakeDirs(job_.path()));
  ASSERT_OK(job_.WriteLaunch(plan));
  ASSERT_OK(job_.WriteKill("preempted by job 9"));
  agent::SpawnOptions spawn;
  spawn.argv = {testing::AgentBinary(), "supervise", job_.path()};
  spawn.log_path = job_.File("supervisor.log");
  spawn.blocked_signals = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
  Result<pid_t> pid = agent::SpawnDetached(spawn);
  ASSERT_OK(pid);
  supervisor_ = *pid;
  ASSERT_EQ(::kill(supervisor_, SIGTERM), 0);
  agent::ExitRecord r = Finish();
  EXPECT_EQ(r.result.error, "preempted by job 9");
}

TEST_F(SupervisorTest, MaxRuntimeStopsTheJob) {
  agent::LaunchPlan plan = Shell("sleep 1000");
  plan.max_runtime = std::chrono::seconds(1);
  agent::ExitRecord r = Run(plan);
  EXPECT_EQ(r.result.signal, SIGTERM);
  EXPECT_NE(r.result.error.find("max_runtime"), std::string::npos) << r.result.error;
  EXPECT_NE(r.result.error.find("exceeded"), std::string::npos) << r.result.error;
}

TEST_F(SupervisorTest, NothingTheJobStartedOutlivesIt) {
  // One process stays in the job's group; one leaves it with setsid. Both are gone when exit.json is.
  agent::ExitRecord r =
      Run(Shell("sleep 1000 & echo $! > " + dir_.Sub("bg.pid") + "; setsid sleep 1001 & echo $! > " +
                dir_.Sub("escaped.pid") + "; sleep 0.5; exit 0"));
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_TRUE(ProcessGone(ReadPidFile("bg.pid")));
  EXPECT_TRUE(ProcessGone(ReadPidFile("escaped.pid")));
}

TEST_F(SupervisorTest, TheReportIsCollected) {
  agent::LaunchPlan plan = Shell("echo '{\"accuracy\": 0.85, \"epochs\": 1}' > report.json");
  plan.report_job_path = "report.json";
  plan.report_host_path = dir_.Sub("job/work/report.json");
  agent::ExitRecord r = Run(plan);
  ASSERT_TRUE(r.result.report.has_value());
  EXPECT_EQ((*r.result.report)["accuracy"], 0.85);
}

TEST_F(SupervisorTest, AMissingOrBadReportIsSaidInTheLog) {
  agent::LaunchPlan plan = Shell("echo 'not json' > bad.json");
  plan.report_job_path = "bad.json";
  plan.report_host_path = dir_.Sub("job/work/bad.json");
  agent::ExitRecord r = Run(plan);
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_FALSE(r.result.report.has_value());
  EXPECT_NE(Output().find("report bad.json is not JSON"), std::string::npos) << Output();
}

TEST_F(SupervisorTest, AReportMustBeAnObjectOrArray) {
  // avad stores reports as JSON objects or arrays; a bare number would make it refuse the heartbeat.
  agent::LaunchPlan plan = Shell("echo 0.85 > acc.json");
  plan.report_job_path = "acc.json";
  plan.report_host_path = dir_.Sub("job/work/acc.json");
  agent::ExitRecord r = Run(plan);
  EXPECT_FALSE(r.result.report.has_value());
  EXPECT_NE(Output().find("report acc.json must hold a JSON object or array"), std::string::npos) << Output();
}

TEST_F(SupervisorTest, AMissingLaunchPlanIsRecorded) {
  ASSERT_OK(MakeDirs(job_.path()));
  agent::Assignment a;
  a.job_id = 31;
  a.spec = {{"command", "true"}};
  ASSERT_OK(job_.WriteAssignment(a));
  agent::SpawnOptions spawn;
  spawn.argv = {testing::AgentBinary(), "supervise", job_.path()};
  spawn.log_path = job_.File("supervisor.log");
  Result<pid_t> pid = agent::SpawnDetached(spawn);
  ASSERT_OK(pid);
  supervisor_ = *pid;
  agent::ExitRecord r = Finish();
  EXPECT_EQ(r.result.job_id, 31);
  EXPECT_NE(r.result.error.find("launch plan"), std::string::npos) << r.result.error;
}

TEST_F(SupervisorTest, NamespaceMountsAppearAtTheirPathOnlyForTheJob) {
  if (::geteuid() != 0) GTEST_SKIP() << "bind mounts in a private mount namespace need root";
  ASSERT_OK(MakeDirs(dir_.Sub("tree/dataset")));
  ASSERT_OK(WriteFileAtomic(dir_.Sub("tree/dataset/train.txt"), "images\n"));
  const std::string path = dir_.Sub("jobview/data");  // stands for /data
  agent::LaunchPlan plan = Shell("cat " + path + "/train.txt; touch " + path +
                                 "/new 2>/dev/null && echo writable || echo read-only");
  plan.namespace_mounts = true;
  plan.mounts = {{path, dir_.Sub("tree/dataset"), "", true, "AVA_MOUNT_DATA"}};
  agent::ExitRecord r = Run(plan);
  EXPECT_EQ(r.result.exit_code, 0) << r.result.error << "\n" << Output();
  EXPECT_EQ(testing::StreamText(job_.output_file(), OutputStream::kStdout), "images\nread-only\n");
  // Outside the job's namespace the mount point is an empty directory.
  EXPECT_FALSE(ReadFile(path + "/train.txt").ok());
}

}  // namespace
}  // namespace ava
