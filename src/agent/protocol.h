// The agent side of avad's agent protocol (docs/api.md, "Agents"): the messages of register,
// heartbeat and log shipping, and their JSON. Agents pull: every heartbeat reports running and
// finished jobs and gets back jobs to start and jobs to kill.
//
// Errors: the Parse* functions return InvalidArgument naming the offending field of avad's answer;
// nothing throws (nlohmann::json exceptions are caught here).
// Thread safety: plain values and free functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/output_log.h"
#include "common/clock.h"
#include "common/result.h"

namespace ava::agent {

using JobId = int64_t;

// One member of a job on this node: a gang may place several members of one job on one node, so a
// job id alone does not name what the agent runs.
struct JobKey {
  JobId job_id = 0;
  int member = 0;
  friend auto operator<=>(const JobKey&, const JobKey&) = default;
};

// One job (or one gang member) avad wants started on this node.
struct Assignment {
  JobId job_id = 0;
  nlohmann::json spec;          // the job spec as avad stored it
  std::vector<int> gpus;        // GPU indices on this node
  std::string visible_devices;  // CUDA_VISIBLE_DEVICES as avad composed it ("0,1"); may be ""
  int member = 0;               // rank in the gang
  int gang_size = 1;
  int gpu_milli = 1000;                    // the share of each GPU in `gpus` (1000: whole GPUs)
  std::map<std::string, std::string> env;  // variables avad adds (e.g. gang peers)

  JobKey key() const { return {job_id, member}; }
};

struct RunningJob {
  JobId job_id = 0;
  int64_t pid = 0;  // the job's main process
  int member = 0;
  // Workspaces: the wall time the agent last saw the job in use (CPU time of its process group
  // moving, or output written). avad cancels a workspace idle for its idle_timeout.
  std::optional<Nanos> last_activity;
};

// A job that ended on this node. exit_code and signal are both empty when it never started (the
// error says why) or when the supervisor could not observe the end.
struct FinishedJob {
  JobId job_id = 0;
  std::optional<int> exit_code;
  std::optional<int> signal;             // the number of the signal that ended it (15 = SIGTERM)
  std::string error;                     // "" for a clean exit
  std::optional<nlohmann::json> report;  // a JSON object or array (what avad accepts)
  int member = 0;
};

struct KillOrder {
  JobId job_id = 0;
  std::string reason;
};

struct RegisterReply {
  int64_t heartbeat_interval_ms = 0;
  std::string node;
};

struct HeartbeatReply {
  std::vector<Assignment> start;
  std::vector<KillOrder> kill;
};

nlohmann::json RegisterRequestJson(const std::string& node, const std::string& address,
                                   const nlohmann::json& inventory, const std::string& agent_version);
nlohmann::json HeartbeatRequestJson(const std::string& node, const std::vector<RunningJob>& running,
                                    const std::vector<FinishedJob>& finished);
// {"chunks": [{"stream", "time", "data"}]}; bytes that are not UTF-8 become U+FFFD when dumped.
nlohmann::json LogChunksJson(const std::vector<OutputRecord>& chunks);

Result<RegisterReply> ParseRegisterReply(const nlohmann::json& j);
Result<HeartbeatReply> ParseHeartbeatReply(const nlohmann::json& j);
Result<Assignment> ParseAssignment(const nlohmann::json& j);

// The assignment as JSON again, to keep it in the job's state directory.
nlohmann::json AssignmentJson(const Assignment& a);
nlohmann::json FinishedJobJson(const FinishedJob& f);
Result<FinishedJob> ParseFinishedJob(const nlohmann::json& j);

// `j` as compact JSON text; strings that are not valid UTF-8 (a job's raw output) get U+FFFD for the
// bad bytes instead of making the dump throw.
std::string DumpJson(const nlohmann::json& j);

// RFC 3339 UTC with nanoseconds: "2026-11-25T19:30:01.123456789Z".
std::string FormatRfc3339(Nanos wall);

}  // namespace ava::agent
