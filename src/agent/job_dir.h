// JobDir: one job's state directory on the node, <state_dir>/jobs/<job id>/, the only link between
// the agent and a job's supervisor, and what a restarted agent re-attaches from:
//
//   assignment.json  what avad sent (written by the agent before anything starts)
//   launch.json      the launch plan (launch_plan.h), written by the agent before the supervisor runs
//   supervisor.json  the supervisor's and the job's pid + start time, written by the supervisor once
//                    the job runs
//   output.log       the job's stdout/stderr records (output_log.h), appended by the supervisor
//   shipped          how many bytes of output.log avad has acknowledged (written by the agent)
//   kill.json        why the agent asked the supervisor to stop the job (written before signalling it)
//   exit.json        how the job ended: exit code or signal, error, report (written by the supervisor
//                    when the job is over, or by the agent for a job that could not start)
//   supervisor.log   the supervisor's own messages
//   root/, work/     symlinks to mounts (symlink mode) and the default working directory
//
// Every file except output.log and the logs is replaced atomically (common/file_util.h), so a crash
// leaves the old or the new version, never a mix.
//
// Errors: reads return Corruption for a file that exists but cannot be parsed; a missing file is
// std::nullopt (or 0 for `shipped`), not an error.
// Thread safety: none needed beyond the file system's; the writers of each file are listed above.
#pragma once

#include <optional>
#include <string>

#include "agent/launch_plan.h"
#include "agent/process_id.h"
#include "agent/protocol.h"

namespace ava::agent {

struct SupervisorRecord {
  ProcessId supervisor;
  ProcessId job;     // the job's main process; its process group id is job.pid
  Nanos started{0};  // wall time the job started
};

struct ExitRecord {
  FinishedJob result;
  Nanos finished{0};  // wall time
};

class JobDir {
 public:
  explicit JobDir(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string File(const char* name) const { return path_ + "/" + name; }
  std::string output_file() const { return File("output.log"); }

  Status WriteAssignment(const Assignment& a) const;
  Result<std::optional<Assignment>> ReadAssignment() const;
  Status WriteLaunch(const LaunchPlan& p) const;
  Result<std::optional<LaunchPlan>> ReadLaunch() const;
  Status WriteSupervisor(const SupervisorRecord& r) const;
  Result<std::optional<SupervisorRecord>> ReadSupervisor() const;
  Status WriteExit(const ExitRecord& r) const;
  Result<std::optional<ExitRecord>> ReadExit() const;
  Status WriteShipped(uint64_t offset) const;
  Result<uint64_t> ReadShipped() const;
  Status WriteKill(const std::string& reason) const;
  Result<std::optional<std::string>> ReadKill() const;

 private:
  // The parsed JSON of `name`, std::nullopt when absent.
  Result<std::optional<nlohmann::json>> ReadJson(const char* name) const;
  Status WriteJson(const char* name, const nlohmann::json& j) const;

  std::string path_;
};

}  // namespace ava::agent
