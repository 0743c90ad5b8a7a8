// avad's configuration: the YAML file, flags over the file, defaults, and errors that name the key.
#include "avad/avad_config.h"

#include <gtest/gtest.h>

#include "avad/commands.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava::avad {
namespace {

TEST(AvadConfigTest, DefaultsKeepTheDatabaseInTheStateDir) {
  AvadConfig c;
  EXPECT_OK(c.Validate());
  EXPECT_EQ(c.DatabaseUrl(), "sqlite:///var/lib/ava/ava.db");
  EXPECT_EQ(c.listen, "0.0.0.0:7070");
  EXPECT_EQ(c.node_timeout, std::chrono::seconds(30));
  c.db = "postgres://ava@db1/ava";
  EXPECT_EQ(c.DatabaseUrl(), "postgres://ava@db1/ava");
}

TEST(AvadConfigTest, ReadsEveryKey) {
  ::ava::testing::TempDir dir;
  const std::string path = dir.Sub("avad.yaml");
  ASSERT_OK(WriteFileAtomic(path,
                            "listen: 127.0.0.1:9000\n"
                            "state_dir: /srv/ava\n"
                            "node_timeout: 45s\n"
                            "heartbeat_interval: 3s\n"
                            "start_timeout: 5m\n"
                            "schedule_interval: 500ms\n"
                            "scheduler_policy: topology\n"
                            "requeue_preempted: false\n"
                            "admin: ops\n"
                            "log_level: debug\n"
                            "log_file: /var/log/avad.log\n"));
  AvadConfig c;
  ASSERT_OK(LoadAvadConfig(path, &c));
  EXPECT_EQ(c.listen, "127.0.0.1:9000");
  EXPECT_EQ(c.DatabaseUrl(), "sqlite:///srv/ava/ava.db");
  EXPECT_EQ(c.node_timeout, std::chrono::seconds(45));
  EXPECT_EQ(c.heartbeat_interval, std::chrono::seconds(3));
  EXPECT_EQ(c.start_timeout, std::chrono::minutes(5));
  EXPECT_EQ(c.schedule_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(c.scheduler_policy, "topology");
  EXPECT_FALSE(c.requeue_preempted);
  EXPECT_EQ(c.admin, "ops");
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.log_file, "/var/log/avad.log");
}

TEST(AvadConfigTest, ErrorsNameTheKey) {
  ::ava::testing::TempDir dir;
  struct Case {
    const char* yaml;
    const char* says;
  } cases[] = {
      {"node_timout: 30s\n", "did you mean 'node_timeout'"},
      {"node_timeout: soon\n", "node_timeout"},
      {"scheduler_policy: magic\n", "scheduler_policy 'magic'"},
      {"listen: nowhere\n", "listen"},
      {"node_timeout: 5s\nheartbeat_interval: 5s\n", "longer than heartbeat_interval"},
      {"log_level: loud\n", "log_level"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.Sub("avad.yaml");
    ASSERT_OK(WriteFileAtomic(path, c.yaml));
    AvadConfig config;
    Status s = LoadAvadConfig(path, &config);
    EXPECT_STATUS(s, kInvalidArgument);
    EXPECT_NE(s.message().find(c.says), std::string::npos) << c.yaml << " → " << s;
  }
  AvadConfig config;
  EXPECT_STATUS(LoadAvadConfig(dir.Sub("missing.yaml"), &config), kNotFound);
}

TEST(AvadConfigTest, FlagsWinOverTheFile) {
  ::ava::testing::TempDir dir;
  const std::string path = dir.Sub("avad.yaml");
  ASSERT_OK(WriteFileAtomic(path, "listen: 127.0.0.1:9000\nnode_timeout: 45s\nscheduler_policy: topology\n"));
  AvadCommandLine flags;
  flags.config_file = path;
  flags.node_timeout = "1m";
  flags.db = "sqlite::memory:";
  Result<AvadConfig> c = flags.Resolve();
  ASSERT_OK(c);
  EXPECT_EQ(c->listen, "127.0.0.1:9000");
  EXPECT_EQ(c->node_timeout, std::chrono::minutes(1));
  EXPECT_EQ(c->scheduler_policy, "topology");
  EXPECT_EQ(c->DatabaseUrl(), "sqlite::memory:");
  flags.heartbeat_interval = "2 fortnights";
  EXPECT_STATUS(flags.Resolve(), kInvalidArgument);
}

}  // namespace
}  // namespace ava::avad
