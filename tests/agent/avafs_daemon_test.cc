// The node's avafs daemon: started, found mounted, restarted when it dies, adopted by a restarted
// agent, stopped by identity. A stand-in daemon (data/fake_avafs.py) bind-mounts a directory, so
// these tests need root; the real avafs is exercised by the end-to-end tests.
#include "agent/avafs_daemon.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "agent/agent_test_util.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava {
namespace {

class AvafsDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the stand-in avafs bind-mounts a directory, which needs root";
    ASSERT_OK(MakeDirs(dir_.Sub("source")));
    ASSERT_OK(WriteFileAtomic(dir_.Sub("source/hello.txt"), "hi\n"));
    ASSERT_OK(WriteFileAtomic(dir_.Sub("table.yaml"), dir_.Sub("source") + "\n"));
  }
  void TearDown() override {
    // Never leave a mount behind, whatever failed.
    if (agent::IsMountPoint(dir_.Sub("mnt"))) ::system(("umount -l " + dir_.Sub("mnt")).c_str());
  }
  std::unique_ptr<agent::AvafsDaemon> Daemon(const std::string& table = "") {
    agent::AvafsDaemonOptions o;
    o.settings.binary = std::string(AVA_SOURCE_DIR) + "/tests/agent/data/fake_avafs.py";
    o.settings.mount_point = dir_.Sub("mnt");
    o.settings.table_file = table.empty() ? dir_.Sub("table.yaml") : table;
    o.state_dir = dir_.Sub("state");
    o.clock = &clock_;
    o.logger = &log_;
    o.metrics = &metrics_;
    return std::make_unique<agent::AvafsDaemon>(o);
  }
  bool Serves() { return ReadFile(dir_.Sub("mnt/hello.txt")).value_or("") == "hi\n"; }

  testing::TempDir dir_;
  SystemClock clock_;
  CapturingLogger log_;
  MetricsRegistry metrics_;
};

TEST_F(AvafsDaemonTest, StartsAndServesTheTree) {
  auto d = Daemon();
  ASSERT_OK(d->Start());
  EXPECT_TRUE(agent::IsMountPoint(dir_.Sub("mnt")));
  EXPECT_TRUE(Serves());
  ASSERT_TRUE(d->daemon().has_value());
  EXPECT_TRUE(agent::IsAlive(*d->daemon()));
  EXPECT_OK(d->Check());
  ASSERT_OK(d->Stop());
  EXPECT_FALSE(agent::IsMountPoint(dir_.Sub("mnt")));
}

TEST_F(AvafsDaemonTest, ADeadDaemonIsRestartedAndItsStaleMountCleared) {
  auto d = Daemon();
  ASSERT_OK(d->Start());
  const agent::ProcessId first = *d->daemon();
  ASSERT_EQ(::kill(first.pid, SIGKILL), 0);  // dies without unmounting
  ASSERT_TRUE(testing::WaitFor([&] { return !agent::IsAlive(first); }));
  ASSERT_OK(d->Check());
  ASSERT_TRUE(d->daemon().has_value());
  EXPECT_NE(d->daemon()->pid, first.pid);
  EXPECT_TRUE(Serves());
  EXPECT_EQ(metrics_.GetCounter("ava_agent_avafs_restarts_total", "").Value(), 1u);
  EXPECT_TRUE(log_.Contains("the avafs daemon is not running; restarting it"));
  ASSERT_OK(d->Stop());
}

TEST_F(AvafsDaemonTest, ARestartedAgentAdoptsTheRunningDaemon) {
  agent::ProcessId running;
  {
    auto first = Daemon();
    ASSERT_OK(first->Start());
    running = *first->daemon();
  }  // the agent goes away; the daemon stays
  auto second = Daemon();
  ASSERT_OK(second->Start());
  ASSERT_TRUE(second->daemon().has_value());
  EXPECT_EQ(*second->daemon(), running);
  EXPECT_TRUE(log_.Contains("adopted the running avafs daemon"));
  EXPECT_OK(second->Check());
  ASSERT_OK(second->Stop());
  EXPECT_TRUE(testing::WaitFor([&] { return !agent::IsAlive(running); }));
}

TEST_F(AvafsDaemonTest, ADaemonThatCannotMountSaysWhy) {
  ASSERT_OK(WriteFileAtomic(dir_.Sub("bad.yaml"), "fail: mount 'dataset': bucket 'nope' does not exist\n"));
  auto d = Daemon(dir_.Sub("bad.yaml"));
  Status s = d->Start();
  EXPECT_STATUS(s, kUnavailable);
  EXPECT_NE(s.message().find("bucket 'nope' does not exist"), std::string::npos) << s;
}

TEST(AvafsDaemonUnmanaged, WithoutATableNothingIsStarted) {
  testing::TempDir dir;
  agent::AvafsDaemonOptions o;
  o.settings.mount_point = dir.path();
  o.state_dir = dir.Sub("state");
  SystemClock clock;
  o.clock = &clock;
  agent::AvafsDaemon d(o);
  EXPECT_OK(d.Start());
  EXPECT_OK(d.Check());
  EXPECT_FALSE(d.daemon().has_value());
  EXPECT_OK(d.Stop());
}

}  // namespace
}  // namespace ava
