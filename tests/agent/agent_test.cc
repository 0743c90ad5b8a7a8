// The agent's loop against a scripted avad over real HTTP: registration, jobs started from heartbeat
// answers, output shipped before the end is reported, kills, outages, and avad forgetting the node.
#include "agent/agent.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <memory>

#include "agent/agent_test_util.h"
#include "agent/fake_avad.h"
#include "common/file_util.h"
#include "gpu/inventory_file.h"
#include "test_util.h"

namespace ava {
namespace {

using nlohmann::json;

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(WriteFileAtomic(state_.Sub("inventory.yaml"), R"(nodes:
  - name: n1
    cpu: 8
    memory: 32GiB
    gpu: {model: T4, memory: 16GiB}
    sockets:
      - {cpu: 4, gpus: [0]}
      - {cpu: 4, gpus: [1]}
)"));
    config_.server = avad_.url();
    config_.node = "n1";
    config_.address = "10.0.0.1";
    config_.state_dir = state_.Sub("state");
    config_.heartbeat_interval = std::chrono::milliseconds(50);
    ASSERT_OK(config_.Finish());
    inventory_ = std::make_unique<gpu::FileGpuInventory>(state_.Sub("inventory.yaml"), "n1");
    client_ = std::make_unique<agent::HttpAvadClient>(avad_.url(), "ava_agent_secret");
    agent::JobManagerOptions o;
    o.state_dir = config_.state_dir;
    o.supervisor_argv = {testing::AgentBinary(), "supervise"};
    o.node = "n1";
    o.node_gpu_count = 2;
    o.mode = agent::MountMode::kSymlink;
    o.kill_grace = std::chrono::milliseconds(500);
    o.base_env = {{"PATH", "/usr/bin:/bin"}};
    o.clock = &clock_;
    o.logger = &log_;
    o.metrics = &metrics_;
    jobs_ = std::make_unique<agent::JobManager>(o);
    ASSERT_OK(jobs_->Reattach());
    agent_ = std::make_unique<agent::Agent>(
        config_,
        agent::AgentDeps{&clock_, &log_, &metrics_, inventory_.get(), client_.get(), jobs_.get(), nullptr});
  }
  void TearDown() override {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
  // Runs rounds until `done` (a hang guard, not a speed check).
  bool RoundsUntil(const std::function<bool()>& done) {
    return testing::WaitFor([&] {
      agent_->RunOnce().IgnoreError();
      return done();
    });
  }
  static json Assignment(int64_t id, json spec, std::vector<int> gpus) {
    return {{"job_id", id},          {"spec", spec}, {"gpus", gpus},
            {"visible_devices", ""}, {"member", 0},  {"gang_size", 1}};
  }

  testing::FakeAvad avad_;
  testing::TempDir state_;
  agent::AgentConfig config_;
  SystemClock clock_;
  CapturingLogger log_;
  MetricsRegistry metrics_;
  std::unique_ptr<gpu::GpuInventory> inventory_;
  std::unique_ptr<agent::AvadClient> client_;
  std::unique_ptr<agent::JobManager> jobs_;
  std::unique_ptr<agent::Agent> agent_;
};

TEST_F(AgentTest, RegistersWithItsInventoryAndToken) {
  ASSERT_OK(agent_->RunOnce());
  ASSERT_EQ(avad_.registers().size(), 1u);
  const json reg = avad_.registers()[0];
  EXPECT_EQ(reg["node"], "n1");
  EXPECT_EQ(reg["address"], "10.0.0.1");
  EXPECT_EQ(reg["agent_version"], agent::kAgentVersion);
  EXPECT_EQ(avad_.auth(), "Bearer ava_agent_secret");
  // avad can read the inventory with the inventory-file parser.
  Result<gpu::Inventory> inv = gpu::ParseInventory(json{{"nodes", {reg["inventory"]}}}.dump(), "register");
  ASSERT_OK(inv);
  EXPECT_EQ(inv->nodes[0].gpu_count(), 2);
  EXPECT_EQ(inv->nodes[0].gpu_model(), "T4");
  EXPECT_EQ(inv->nodes[0].Path(0, 1).kind, gpu::PathKind::kSys);
  ASSERT_EQ(avad_.heartbeats().size(), 1u);
  EXPECT_EQ(avad_.heartbeats()[0],
            (json{{"node", "n1"}, {"running", json::array()}, {"finished", json::array()}}));
  EXPECT_EQ(agent_->interval(), std::chrono::milliseconds(50));  // the configured interval wins over avad's
}

TEST_F(AgentTest, AnAssignedJobRunsAndAvadHasAllItsOutputBeforeItsEnd) {
  avad_.Start(Assignment(
      11, {{"command", "for i in 1 2 3; do echo line $i; done; echo gpus=$CUDA_VISIBLE_DEVICES >&2; exit 3"}},
      {1}));
  ASSERT_TRUE(RoundsUntil([&] { return avad_.finished(11); }));
  json f;
  avad_.finished(11, &f);
  EXPECT_EQ(f["exit_code"], 3);
  EXPECT_EQ(f["error"], "exited with code 3");
  EXPECT_EQ(avad_.logs(11), "line 1\nline 2\nline 3\ngpus=1\n") << ::testing::PrintToString(avad_.events());
  // Every log batch of the job arrived before the heartbeat that reported its end.
  const std::vector<std::string> events = avad_.events();
  auto end = std::find(events.begin(), events.end(), "finished:11");
  ASSERT_NE(end, events.end());
  EXPECT_EQ(std::find(end, events.end(), "logs:11"), events.end());
  EXPECT_NE(std::find(events.begin(), end, "logs:11"), end);
  // Reported once, then forgotten: its directory is gone.
  agent_->RunOnce().IgnoreError();
  EXPECT_FALSE(jobs_->Knows({11, 0}));
}

TEST_F(AgentTest, AKillOrderStopsTheJobWithTheReason) {
  avad_.Start(Assignment(12, {{"command", json::array({"sleep", "1000"})}}, {0}));
  ASSERT_TRUE(RoundsUntil([&] { return avad_.running_pid(12) > 0; }));
  avad_.Kill(12, "preempted by job 40");
  ASSERT_TRUE(RoundsUntil([&] { return avad_.finished(12); }));
  json f;
  avad_.finished(12, &f);
  EXPECT_EQ(f["signal"], SIGTERM);
  EXPECT_EQ(f["exit_code"], nullptr);
  EXPECT_EQ(f["error"], "preempted by job 40");
}

TEST_F(AgentTest, JobsGoOnWhileAvadIsDownAndAreReportedWhenItIsBack) {
  ASSERT_OK(agent_->RunOnce());
  avad_.Start(Assignment(13, {{"command", "echo hello; sleep 1; echo bye"}}, {0}));
  ASSERT_OK(agent_->RunOnce());  // receives the start
  avad_.SetDown(503);
  Status down = agent_->RunOnce();
  EXPECT_STATUS(down, kUnavailable);
  EXPECT_TRUE(down.retryable());
  ASSERT_TRUE(RoundsUntil([&] { return jobs_->running() == 0; }));  // it ends during the outage
  EXPECT_FALSE(avad_.finished(13));
  avad_.SetDown(0);
  ASSERT_TRUE(RoundsUntil([&] { return avad_.finished(13); }));
  EXPECT_EQ(avad_.logs(13), "hello\nbye\n");
}

TEST_F(AgentTest, AnAvadThatForgotTheNodeGetsARegistrationAgain) {
  ASSERT_OK(agent_->RunOnce());
  avad_.ForgetNode();
  EXPECT_STATUS(agent_->RunOnce(), kFailedPrecondition);
  EXPECT_FALSE(agent_->registered());
  ASSERT_OK(agent_->RunOnce());
  EXPECT_EQ(avad_.registers().size(), 2u);
}

TEST_F(AgentTest, ARefusedRegistrationSaysWhy) {
  avad_.SetDown(401);
  Status s = agent_->RunOnce();
  EXPECT_STATUS(s, kUnauthenticated);
  EXPECT_FALSE(s.retryable());
  EXPECT_NE(s.message().find("register"), std::string::npos) << s;
  EXPECT_FALSE(agent_->registered());
  avad_.SetDown(0);
  ASSERT_OK(agent_->RunOnce());
}

TEST(AvadClient, HttpStatusesMapToStatusCodes) {
  EXPECT_STATUS(agent::StatusFromHttp(401, ""), kUnauthenticated);
  EXPECT_STATUS(agent::StatusFromHttp(403, "forbidden"), kPermissionDenied);
  EXPECT_STATUS(agent::StatusFromHttp(404, ""), kNotFound);
  EXPECT_STATUS(agent::StatusFromHttp(409, ""), kFailedPrecondition);
  EXPECT_STATUS(
      agent::StatusFromHttp(
          400, R"({"error": {"code": "InvalidArgument", "message": "bad chunk", "field": "chunks"}})"),
      kInvalidArgument);
  Status busy = agent::StatusFromHttp(503, "");
  EXPECT_STATUS(busy, kUnavailable);
  EXPECT_TRUE(busy.retryable());
  EXPECT_TRUE(agent::StatusFromHttp(429, "").retryable());
  Status named = agent::StatusFromHttp(404, R"({"error": {"code": "NotFound", "message": "no job 9"}})");
  EXPECT_NE(named.message().find("no job 9"), std::string::npos);
  EXPECT_FALSE(named.retryable());
}

TEST(AvadClient, NoServerIsUnavailable) {
  agent::HttpAvadClient client("http://127.0.0.1:1", "", std::chrono::seconds(2));
  Result<agent::RegisterReply> r = client.Register("n", "a", json::object(), "v");
  EXPECT_STATUS(r, kUnavailable);
  EXPECT_TRUE(r.status().retryable());
}

TEST(AvadClient, TokenFile) {
  testing::TempDir dir;
  ASSERT_OK(WriteFileAtomic(dir.Sub("token"), "  ava_abc123\n"));
  EXPECT_EQ(agent::ReadTokenFile(dir.Sub("token")).value_or(""), "ava_abc123");
  ASSERT_OK(WriteFileAtomic(dir.Sub("empty"), "\n"));
  EXPECT_STATUS(agent::ReadTokenFile(dir.Sub("empty")), kInvalidArgument);
  EXPECT_STATUS(agent::ReadTokenFile(dir.Sub("missing")), kNotFound);
}

}  // namespace
}  // namespace ava
