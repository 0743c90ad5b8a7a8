// LaunchPlan: everything a job's supervisor needs to start and watch the job, decided by the agent
// from the assignment, the spec, the node and the agent's config, and written to the job's state
// directory (launch.json) before the supervisor starts. The supervisor reads only this file, so a
// job can be started, watched, killed and reported by a supervisor that outlives the agent.
//
// Errors: BuildLaunchPlan fails — and the job fails at start with that message, its GPUs coming back
// — when the spec is malformed, a GPU index is not on this node, or a mount source does not exist
// (mount_plan.h). ParseLaunchPlan returns Corruption for a launch.json it cannot read.
// Thread safety: plain values and free functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/job_environment.h"
#include "agent/job_spec.h"
#include "agent/mount_plan.h"
#include "agent/protocol.h"

namespace ava::agent {

struct LaunchPlan {
  JobId job_id = 0;
  int member = 0;
  std::string kind = "job";       // job | workspace
  std::vector<std::string> argv;  // a string command becomes /bin/sh -c COMMAND
  EnvMap env;
  std::string workdir;            // where the job starts (a path the job sees)
  bool namespace_mounts = false;  // bind mounts in a private mount namespace (else symlinks, made already)
  std::vector<MountBinding> mounts;
  std::string report_host_path;  // "" = no report; else where the supervisor reads it
  std::string report_job_path;   // the path as the spec named it, for messages
  Nanos max_runtime{0};          // 0 = no limit
  Nanos kill_grace{0};           // SIGTERM → SIGKILL
};

struct LaunchInputs {
  const Assignment* assignment = nullptr;
  std::string node;
  int node_gpu_count = 0;
  std::string job_dir;                   // the job's state directory
  std::string tree_root;                 // the avafs mount point ("" = none)
  MountMode mode = MountMode::kSymlink;  // kNamespace or kSymlink (auto resolved by the caller)
  Nanos kill_grace{0};
  EnvMap base_env;
};

Result<LaunchPlan> BuildLaunchPlan(const LaunchInputs& in);

nlohmann::json LaunchPlanJson(const LaunchPlan& p);
Result<LaunchPlan> ParseLaunchPlan(const nlohmann::json& j);

}  // namespace ava::agent
