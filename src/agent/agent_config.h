// AgentConfig: everything ava-agent is told — where avad is, who this node is, how to learn its GPUs,
// where to keep state, and the avafs mount table that jobs' datasets come from. Filled from a YAML
// file (LoadAgentConfig) and then from command-line flags; docs/agent.md documents every key:
//
//   server: http://avad.example:7070
//   token_file: /etc/ava/agent.token
//   node: gpu-07                       # default: the host name
//   inventory: /etc/ava/inventory.yaml # declared inventory; without it, NVML discovery
//   state_dir: /var/lib/ava-agent
//   heartbeat_interval: 0              # 0: what avad answers at register
//   avafs:
//     mount_point: /mnt/ava
//     table: { mounts: [...] }         # an avafs mount table (docs/avafs.md), or table_file: FILE
//
// Errors: InvalidArgument "file:line:col: …" naming the key (unknown keys get a "did you mean" hint);
// Validate() names the missing or contradictory setting.
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "common/result.h"

namespace ava::agent {

// How a job sees its mounts[].path: a private mount namespace with bind mounts (needs root), or
// symlinks under the job's directory plus AVA_MOUNT_<NAME> variables and rewritten paths.
enum class MountMode { kAuto, kNamespace, kSymlink };

struct AvafsSettings {
  std::string binary = "avafs";  // found on PATH unless a path
  std::string mount_point;       // "" = this node has no dataset tree
  std::string table_yaml;        // an inline mount table, as YAML text ("" = none)
  std::string table_file;        // or a mount table file
  Nanos health_interval = std::chrono::seconds(10);
  // Without a table the agent starts no daemon and uses mount_point as it is (a tree mounted by
  // someone else, or a plain directory).
  bool managed() const { return !table_yaml.empty() || !table_file.empty(); }
};

struct AgentConfig {
  std::string server;      // avad's base URL, "http://host:port"
  std::string token_file;  // file holding the agent token (`avad node-token NODE`)
  std::string node;        // "" = host name
  std::string address;     // what avad shows as the node's address; "" = host name
  std::string inventory;   // inventory file; "" = NVML discovery
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string gpu_model;  // NVML only: the model name to report ("" = derived from NVML's name)
  std::string state_dir = "/var/lib/ava-agent";
  Nanos heartbeat_interval{0};                  // 0 = avad's value
  Nanos kill_grace = std::chrono::seconds(10);  // SIGTERM → SIGKILL
  uint64_t log_batch_bytes = 256 * 1024;        // most log bytes per POST
  MountMode mount_mode = MountMode::kAuto;
  AvafsSettings avafs;
  std::string metrics_address;  // host:port serving /metrics and /healthz; "" = none
  LogLevel log_level = LogLevel::kInfo;
  std::string log_file;  // "" = stderr

  // Fills defaults that depend on the machine (node and address from the host name) and checks the
  // rest: a server URL, a state directory, a mount point when a mount table is given.
  Status Finish();
};

Result<AgentConfig> LoadAgentConfig(const std::string& path);
Result<AgentConfig> ParseAgentConfig(const std::string& text, std::string source);

Result<MountMode> ParseMountMode(std::string_view text);
std::string_view MountModeName(MountMode m);

}  // namespace ava::agent
