// From an assignment to what the supervisor runs: mounts resolved in the node's avafs tree, paths
// rewritten in symlink mode, jobs that cannot start refused with the reason.
#include "agent/launch_plan.h"

#include <gtest/gtest.h>

#include "agent/mount_plan.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava {
namespace {

using nlohmann::json;

class LaunchPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(MakeDirs(tree_.Sub("dataset/fashion-mnist")));
    ASSERT_OK(MakeDirs(tree_.Sub("outputs/run1")));
  }
  Result<agent::LaunchPlan> Build(const json& spec, agent::MountMode mode, std::vector<int> gpus = {0}) {
    assignment_.job_id = 42;
    assignment_.spec = spec;
    assignment_.gpus = std::move(gpus);
    agent::LaunchInputs in;
    in.assignment = &assignment_;
    in.node = "n1";
    in.node_gpu_count = 2;
    in.job_dir = "/state/jobs/42";
    in.tree_root = tree_.path();
    in.mode = mode;
    in.kill_grace = std::chrono::seconds(3);
    in.base_env = {{"PATH", "/usr/bin:/bin"}};
    return agent::BuildLaunchPlan(in);
  }
  testing::TempDir tree_;
  agent::Assignment assignment_;
};

const json kSpec = json::parse(R"({
  "name": "train", "command": ["python3", "train.py", "--data=/data/train", "/outputs/model.pt"],
  "workdir": "/outputs", "env": {"DATA": "/data", "OTHER": "/database"},
  "mounts": [{"path": "/data", "source": "dataset/fashion-mnist", "readonly": true},
             {"path": "/outputs", "source": "outputs/run1"}],
  "report": "report.json", "max_runtime": "1h"})");

TEST_F(LaunchPlanTest, SymlinkModeRewritesEveryPathTheJobIsGiven) {
  Result<agent::LaunchPlan> p = Build(kSpec, agent::MountMode::kSymlink);
  ASSERT_OK(p);
  EXPECT_FALSE(p->namespace_mounts);
  ASSERT_EQ(p->mounts.size(), 2u);
  EXPECT_EQ(p->mounts[0].host_path, tree_.path() + "/dataset/fashion-mnist");
  EXPECT_EQ(p->mounts[0].link_path, "/state/jobs/42/root/data");
  EXPECT_EQ(p->argv, (std::vector<std::string>{"python3", "train.py", "--data=/state/jobs/42/root/data/train",
                                               "/state/jobs/42/root/outputs/model.pt"}));
  EXPECT_EQ(p->workdir, "/state/jobs/42/root/outputs");
  EXPECT_EQ(p->env["DATA"], "/state/jobs/42/root/data");
  EXPECT_EQ(p->env["OTHER"], "/database");  // not a mount path, only a prefix of a word
  EXPECT_EQ(p->env["AVA_MOUNT_DATA"], "/state/jobs/42/root/data");
  EXPECT_EQ(p->env["AVA_MOUNT_OUTPUTS"], "/state/jobs/42/root/outputs");
  EXPECT_EQ(p->report_host_path, tree_.path() + "/outputs/run1/report.json");
  EXPECT_EQ(p->max_runtime, std::chrono::hours(1));
  EXPECT_EQ(p->kill_grace, std::chrono::seconds(3));
  EXPECT_EQ(p->env["CUDA_VISIBLE_DEVICES"], "0");
}

TEST_F(LaunchPlanTest, NamespaceModeKeepsThePathsAsWritten) {
  Result<agent::LaunchPlan> p = Build(kSpec, agent::MountMode::kNamespace);
  ASSERT_OK(p);
  EXPECT_TRUE(p->namespace_mounts);
  EXPECT_EQ(p->argv[2], "--data=/data/train");
  EXPECT_EQ(p->workdir, "/outputs");
  EXPECT_EQ(p->env["AVA_MOUNT_DATA"], "/data");
  EXPECT_TRUE(p->mounts[0].readonly);
  EXPECT_EQ(p->mounts[0].link_path, "");
  // The supervisor runs outside the namespace: it reads the report where the mount comes from.
  EXPECT_EQ(p->report_host_path, tree_.path() + "/outputs/run1/report.json");
}

TEST_F(LaunchPlanTest, ShellCommandsAreRewrittenWordByWord) {
  json spec = {{"command", "ls /data > /outputs/list.txt; cat /data/x:/databank"},
               {"mounts",
                {{{"path", "/data"}, {"source", "dataset/fashion-mnist"}},
                 {{"path", "/outputs"}, {"source", "outputs/run1"}}}}};
  Result<agent::LaunchPlan> p = Build(spec, agent::MountMode::kSymlink);
  ASSERT_OK(p);
  EXPECT_EQ(p->argv, (std::vector<std::string>{
                         "/bin/sh", "-c",
                         "ls /state/jobs/42/root/data > /state/jobs/42/root/outputs/list.txt; cat "
                         "/state/jobs/42/root/data/x:/databank"}));
  EXPECT_EQ(p->workdir, "/state/jobs/42/work");  // no workdir: the job's own directory
}

TEST_F(LaunchPlanTest, AMissingDatasetFailsWithThePath) {
  json spec = {{"command", "true"}, {"mounts", {{{"path", "/data"}, {"source", "dataset/imagenet"}}}}};
  Result<agent::LaunchPlan> p = Build(spec, agent::MountMode::kSymlink);
  ASSERT_STATUS(p, kNotFound);
  EXPECT_NE(p.status().message().find("mount source 'dataset/imagenet' does not exist"), std::string::npos)
      << p.status();
  EXPECT_NE(p.status().message().find(tree_.path() + "/dataset/imagenet"), std::string::npos);
}

TEST_F(LaunchPlanTest, MountsThatEscapeOrOverlapAreRefused) {
  EXPECT_STATUS(Build({{"command", "true"}, {"mounts", {{{"path", "/data"}, {"source", "../etc"}}}}},
                      agent::MountMode::kSymlink),
                kInvalidArgument);
  EXPECT_STATUS(Build({{"command", "true"}, {"mounts", {{{"path", "/"}, {"source", "dataset"}}}}},
                      agent::MountMode::kSymlink),
                kInvalidArgument);
  EXPECT_STATUS(
      Build({{"command", "true"},
             {"mounts",
              {{{"path", "/data"}, {"source", "dataset"}}, {{"path", "/data/x"}, {"source", "outputs"}}}}},
            agent::MountMode::kNamespace),
      kInvalidArgument);
}

TEST_F(LaunchPlanTest, MountsWithoutATreeAreRefused) {
  assignment_.spec = {{"command", "true"}, {"mounts", {{{"path", "/data"}, {"source", "dataset"}}}}};
  agent::LaunchInputs in;
  in.assignment = &assignment_;
  in.node_gpu_count = 1;
  in.job_dir = "/state/jobs/1";
  EXPECT_STATUS(agent::BuildLaunchPlan(in), kFailedPrecondition);
}

TEST_F(LaunchPlanTest, GpusMustBeOnThisNode) {
  Result<agent::LaunchPlan> p = Build({{"command", "true"}}, agent::MountMode::kSymlink, {0, 2});
  ASSERT_STATUS(p, kInvalidArgument);
  EXPECT_NE(p.status().message().find("GPU 2 is not on node n1"), std::string::npos) << p.status();
  EXPECT_STATUS(Build({{"command", "true"}}, agent::MountMode::kSymlink, {1, 1}), kInvalidArgument);
}

TEST_F(LaunchPlanTest, ThePlanSurvivesItsFile) {
  Result<agent::LaunchPlan> p = Build(kSpec, agent::MountMode::kSymlink);
  ASSERT_OK(p);
  Result<agent::LaunchPlan> back = agent::ParseLaunchPlan(json::parse(agent::LaunchPlanJson(*p).dump()));
  ASSERT_OK(back);
  EXPECT_EQ(back->argv, p->argv);
  EXPECT_EQ(back->env, p->env);
  EXPECT_EQ(back->workdir, p->workdir);
  EXPECT_EQ(back->mounts.size(), 2u);
  EXPECT_EQ(back->mounts[1].link_path, p->mounts[1].link_path);
  EXPECT_EQ(back->report_host_path, p->report_host_path);
  EXPECT_EQ(back->max_runtime, p->max_runtime);
  EXPECT_STATUS(agent::ParseLaunchPlan(json{{"job_id", "x"}}), kCorruption);
}

TEST(MountPlan, EnvNamesAndPathMapping) {
  EXPECT_EQ(agent::MountEnvName("/data"), "AVA_MOUNT_DATA");
  EXPECT_EQ(agent::MountEnvName("/outputs/run-1"), "AVA_MOUNT_OUTPUTS_RUN_1");
  std::vector<agent::MountBinding> m = {{"/data", "/mnt/ava/ds", "/j/root/data", false, "AVA_MOUNT_DATA"}};
  EXPECT_EQ(agent::RewritePath("/data/a/b", m), "/j/root/data/a/b");
  EXPECT_EQ(agent::RewritePath("/data", m), "/j/root/data");
  EXPECT_EQ(agent::RewritePath("/datasets", m), "/datasets");
  EXPECT_EQ(agent::RewriteWords("x=/data;y='/data/q' /data2", m), "x=/j/root/data;y='/j/root/data/q' /data2");
  EXPECT_EQ(agent::HostPathOf("/data/f", m, "/w"), "/mnt/ava/ds/f");
  EXPECT_EQ(agent::HostPathOf("f", m, "/w"), "/w/f");
  EXPECT_EQ(agent::HostPathOf("/etc/f", m, "/w"), "/etc/f");
}

}  // namespace
}  // namespace ava
