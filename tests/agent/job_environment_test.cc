// What a job finds in its environment: exactly its GPUs, Ava's variables, and nothing of the agent's
// own environment beyond a few basics.
#include "agent/job_environment.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava {
namespace {

agent::EnvMap Compose(const agent::Assignment& a, agent::EnvMap spec_env = {}) {
  agent::JobEnvInputs in;
  in.base = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/root"}};
  in.assignment = &a;
  in.job_name = "train";
  in.spec_env = std::move(spec_env);
  in.node = "gpu-7";
  in.job_dir = "/var/lib/ava-agent/jobs/12";
  return agent::ComposeJobEnv(in);
}

TEST(JobEnvironment, CudaVisibleDevicesIsExactlyTheAssignedGpus) {
  agent::Assignment a;
  a.job_id = 12;
  a.gpus = {2, 5};
  agent::EnvMap env = Compose(a);
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "2,5");
  EXPECT_EQ(env["NVIDIA_VISIBLE_DEVICES"], "2,5");
  EXPECT_EQ(env["CUDA_DEVICE_ORDER"], "PCI_BUS_ID");
  EXPECT_EQ(env["AVA_GPUS"], "2,5");
  EXPECT_EQ(env["AVA_JOB_ID"], "12");
  EXPECT_EQ(env["AVA_NODE"], "gpu-7");
  EXPECT_EQ(env["AVA_JOB_NAME"], "train");
  EXPECT_EQ(env["AVA_GANG_MEMBER"], "0");
  EXPECT_EQ(env["AVA_GANG_SIZE"], "1");
  EXPECT_EQ(env["AVA_JOB_DIR"], "/var/lib/ava-agent/jobs/12");
  EXPECT_EQ(env["PATH"], "/usr/bin:/bin");
}

TEST(JobEnvironment, AvadsVisibleDevicesWinsOverTheIndexList) {
  agent::Assignment a;
  a.gpus = {0};
  a.visible_devices = "GPU-5b2c";  // avad may name GPUs by UUID
  EXPECT_EQ(Compose(a)["CUDA_VISIBLE_DEVICES"], "GPU-5b2c");
  EXPECT_EQ(agent::VisibleDevices(a), "GPU-5b2c");
}

TEST(JobEnvironment, AJobWithoutGpusSeesNone) {
  agent::Assignment a;
  agent::EnvMap env = Compose(a);
  ASSERT_TRUE(env.count("CUDA_VISIBLE_DEVICES"));
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "");
  EXPECT_EQ(env["NVIDIA_VISIBLE_DEVICES"], "none");
}

TEST(JobEnvironment, AJobCannotClaimOtherGpus) {
  agent::Assignment a;
  a.gpus = {1};
  a.env = {{"FROM_AVAD", "yes"}, {"SEED", "2"}};
  agent::EnvMap env =
      Compose(a, {{"CUDA_VISIBLE_DEVICES", "0,1,2,3"}, {"AVA_JOB_ID", "99"}, {"SEED", "1"}, {"LR", "0.1"}});
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "1");
  EXPECT_EQ(env["AVA_JOB_ID"], "0");
  EXPECT_EQ(env["SEED"], "2");  // avad's layer over the spec's
  EXPECT_EQ(env["LR"], "0.1");
  EXPECT_EQ(env["FROM_AVAD"], "yes");
}

TEST(JobEnvironment, MountVariables) {
  agent::Assignment a;
  std::vector<agent::MountBinding> mounts = {
      {"/data", "/mnt/ava/ds", "", true, "AVA_MOUNT_DATA"},
      {"/out", "/mnt/ava/o", "/jobs/3/root/out", false, "AVA_MOUNT_OUT"}};
  agent::JobEnvInputs in;
  in.assignment = &a;
  in.mounts = &mounts;
  agent::EnvMap env = agent::ComposeJobEnv(in);
  EXPECT_EQ(env["AVA_MOUNT_DATA"], "/data");            // namespace mode: the path itself
  EXPECT_EQ(env["AVA_MOUNT_OUT"], "/jobs/3/root/out");  // symlink mode: the link
}

TEST(JobEnvironment, OnlyBasicsPassThroughFromTheAgent) {
  const char* environ[] = {"PATH=/opt/bin:/usr/bin",
                           "HOME=/home/ava",
                           "AWS_SECRET_ACCESS_KEY=hunter2",
                           "LANG=C.UTF-8",
                           "AVA_TOKEN=ava_x",
                           "BROKEN",
                           nullptr};
  agent::EnvMap env = agent::PassthroughEnv(environ);
  EXPECT_EQ(env["PATH"], "/opt/bin:/usr/bin");
  EXPECT_EQ(env["HOME"], "/home/ava");
  EXPECT_EQ(env["LANG"], "C.UTF-8");
  EXPECT_FALSE(env.count("AWS_SECRET_ACCESS_KEY"));
  EXPECT_FALSE(env.count("AVA_TOKEN"));
  const char* empty[] = {nullptr};
  EXPECT_EQ(agent::PassthroughEnv(empty)["PATH"], "/usr/local/bin:/usr/bin:/bin");
}

}  // namespace
}  // namespace ava
