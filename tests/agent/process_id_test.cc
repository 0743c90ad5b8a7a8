// Processes are named by pid and start time, so a recorded pid never reaches a stranger.
#include "agent/process_id.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/process_group_cpu.h"
#include "test_util.h"

namespace ava {
namespace {

TEST(ProcessId, ParsesStatWithAWickedCommandName) {
  char state = 0;
  uint64_t start = 0;
  // comm "a) b (c" contains the separators the parser must not trust.
  const std::string stat =
      "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 "
      "18446744073709551615";
  ASSERT_OK(agent::ParseProcStat(stat, &state, &start));
  EXPECT_EQ(state, 'S');
  EXPECT_EQ(start, 987654u);
  EXPECT_STATUS(agent::ParseProcStat("4242 (x) S 1 2", &state, &start), kInvalidArgument);
  EXPECT_STATUS(agent::ParseProcStat("garbage", &state, &start), kInvalidArgument);
}

TEST(ProcessId, SelfIsAliveAndAnotherStartTimeIsNot) {
  agent::ProcessId self = agent::SelfProcessId();
  EXPECT_TRUE(agent::IsAlive(self));
  agent::ProcessId impostor = self;
  impostor.start_ticks += 1;  // same pid, another process (as after pid reuse)
  EXPECT_FALSE(agent::IsAlive(impostor));
  EXPECT_STATUS(agent::SignalProcess(impostor, 0), kNotFound);
  EXPECT_OK(agent::SignalProcess(self, 0));
}

TEST(ProcessId, AnExitedChildIsGoneEvenBeforeItIsReaped) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  // Whatever fails below, the child does not outlive the test.
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{pid};
  Result<agent::ProcessId> id = agent::ReadProcessId(pid);
  ASSERT_OK(id);
  EXPECT_TRUE(agent::IsAlive(*id));
  ASSERT_OK(agent::SignalProcess(*id, SIGKILL));
  // Wait until it is a zombie without reaping it.
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  EXPECT_FALSE(agent::IsAlive(*id));
  EXPECT_STATUS(agent::ReadProcessId(pid), kNotFound);
}

TEST(ProcessGroupCpu, ParsesGroupAndCpuTime) {
  pid_t pgrp = 0;
  uint64_t ticks = 0;
  const std::string stat =
      "4242 (a) b) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 1 0 987654 1000 10 "
      "18446744073709551615";
  ASSERT_OK(agent::ParseStatCpu(stat, &pgrp, &ticks));
  EXPECT_EQ(pgrp, 4242);
  EXPECT_EQ(ticks, 175u);
  EXPECT_STATUS(agent::ParseStatCpu("1 (x) S 1 2", &pgrp, &ticks), kInvalidArgument);
}

TEST(ProcessGroupCpu, TheScanSeesThisProcessGroup) {
  std::map<pid_t, uint64_t> cpu = agent::CpuTicksByProcessGroup();
  EXPECT_EQ(cpu.count(::getpgrp()), 1u);
}

}  // namespace
}  // namespace ava
