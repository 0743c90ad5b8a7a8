#include "agent/agent_config.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava {
namespace {

TEST(AgentConfig, EveryKey) {
  Result<agent::AgentConfig> c = agent::ParseAgentConfig(R"(
server: http://avad:7070/
token_file: /etc/ava/token
node: gpu-7
address: 10.0.0.7
inventory: /etc/ava/inv.yaml
state_dir: /var/lib/ava
heartbeat_interval: 2s
kill_grace: 30s
log_batch: 64KiB
mount_mode: symlink
metrics_address: 127.0.0.1:9100
log_level: debug
avafs:
  binary: /usr/bin/avafs
  mount_point: /mnt/ava
  health_interval: 5s
  table:
    metadata_ttl: indefinite
    mounts:
      - name: dataset
        store: {uri: "file:///srv/datasets"}
)",
                                                         "agent.yaml");
  ASSERT_OK(c);
  ASSERT_OK(c->Finish());
  EXPECT_EQ(c->server, "http://avad:7070");
  EXPECT_EQ(c->node, "gpu-7");
  EXPECT_EQ(c->address, "10.0.0.7");
  EXPECT_EQ(c->heartbeat_interval, std::chrono::seconds(2));
  EXPECT_EQ(c->kill_grace, std::chrono::seconds(30));
  EXPECT_EQ(c->log_batch_bytes, 64u * 1024);
  EXPECT_EQ(c->mount_mode, agent::MountMode::kSymlink);
  EXPECT_EQ(c->log_level, LogLevel::kDebug);
  EXPECT_EQ(c->avafs.mount_point, "/mnt/ava");
  EXPECT_TRUE(c->avafs.managed());
  EXPECT_NE(c->avafs.table_yaml.find("file:///srv/datasets"), std::string::npos);
  EXPECT_NE(c->avafs.table_yaml.find("metadata_ttl"), std::string::npos);
}

TEST(AgentConfig, UnknownKeysAreErrorsWithAHint) {
  Result<agent::AgentConfig> c =
      agent::ParseAgentConfig("server: http://a:1\nheartbeat_intervall: 2s\n", "agent.yaml");
  ASSERT_STATUS(c, kInvalidArgument);
  EXPECT_NE(c.status().message().find("agent.yaml:2"), std::string::npos) << c.status();
  EXPECT_NE(c.status().message().find("heartbeat_interval"), std::string::npos) << c.status();
  EXPECT_STATUS(agent::ParseAgentConfig("mount_mode: chroot\n", "a.yaml"), kInvalidArgument);
  EXPECT_STATUS(agent::ParseAgentConfig("avafs: {mountpoint: /x}\n", "a.yaml"), kInvalidArgument);
}

TEST(AgentConfig, FinishChecksWhatIsMissing) {
  agent::AgentConfig c;
  EXPECT_STATUS(c.Finish(), kInvalidArgument);  // no server
  c.server = "avad:7070";
  EXPECT_STATUS(c.Finish(), kInvalidArgument);  // no scheme
  c.server = "http://avad:7070";
  ASSERT_OK(c.Finish());
  EXPECT_FALSE(c.node.empty());  // the host name
  c.avafs.table_file = "/etc/ava/mounts.yaml";
  EXPECT_STATUS(c.Finish(), kInvalidArgument);  // a table needs a mount point
  c.avafs.mount_point = "mnt";
  EXPECT_STATUS(c.Finish(), kInvalidArgument);  // relative
  c.avafs.mount_point = "/mnt/ava";
  EXPECT_OK(c.Finish());
}

}  // namespace
}  // namespace ava
