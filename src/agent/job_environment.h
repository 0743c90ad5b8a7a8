// The environment a job runs with. Layers, later ones winning:
//   1. a few variables passed through from the agent (PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_ALL,
//      TZ, TMPDIR) — nothing else of the agent's environment leaks into jobs;
//   2. the spec's `env`;
//   3. the assignment's `env` (what avad adds, e.g. gang peers);
//   4. Ava's own variables, which a job cannot override because they decide what it may use:
//        CUDA_VISIBLE_DEVICES    exactly the job's GPUs ("" when it has none: CUDA then sees none)
//        NVIDIA_VISIBLE_DEVICES  the same for container runtimes ("none" when the job has no GPU)
//        CUDA_DEVICE_ORDER       PCI_BUS_ID, so CUDA numbers GPUs as NVML and the inventory do
//        AVA_JOB_ID, AVA_JOB_NAME, AVA_NODE, AVA_GPUS, AVA_GANG_MEMBER, AVA_GANG_SIZE, AVA_JOB_DIR,
//        AVA_GPU_MILLI           the share of each GPU the job was given (1000: whole GPUs; a
//                                smaller share is a promise the job must keep, nothing enforces it)
//        AVA_MOUNT_<NAME>        where each mount is visible (its path, or its link in symlink mode)
//
// Thread safety: free functions over values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/mount_plan.h"
#include "agent/protocol.h"

namespace ava::agent {

using EnvMap = std::map<std::string, std::string>;

// The device list for CUDA_VISIBLE_DEVICES: avad's `visible_devices` when it sent one, else the
// assignment's GPU indices joined by commas ("" for a job without GPUs).
std::string VisibleDevices(const Assignment& a);

// The pass-through layer taken from `environ`-style "NAME=value" strings.
EnvMap PassthroughEnv(const char* const* environ);

struct JobEnvInputs {
  EnvMap base;  // layer 1
  const Assignment* assignment = nullptr;
  std::string job_name;
  EnvMap spec_env;  // layer 2 (already rewritten for symlink mode)
  std::string node;
  std::string job_dir;
  const std::vector<MountBinding>* mounts = nullptr;
};

EnvMap ComposeJobEnv(const JobEnvInputs& in);

// "NAME=value" strings for execve.
std::vector<std::string> EnvStrings(const EnvMap& env);

}  // namespace ava::agent
