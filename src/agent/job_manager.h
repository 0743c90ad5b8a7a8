// JobManager: the jobs of this node as the agent sees them, kept in <state_dir>/jobs/<id>-<member>/
// (job_dir.h) so that all of it survives an agent restart.
//
//  - Start() prepares a job (assignment, launch plan, symlinks) and spawns its supervisor
//    (supervisor.h) in a new session; a job that cannot start (bad GPU index, missing mount source)
//    gets exit.json with the reason at once, so avad learns it failed and frees its GPUs.
//  - Kill() records the reason in kill.json and sends SIGTERM to the job's supervisor (identified by
//    pid AND start time), which stops the job's process group with SIGTERM, then SIGKILL.
//  - ShipLogs() sends each job's new output records from the last acknowledged offset.
//  - Poll() tells which jobs run and which ended. A job that ran is listed as running at least
//    once, and until all its output is shipped; then as finished. A job that never ran (it failed
//    at start) is finished at once. A job whose supervisor vanished without writing exit.json
//    is lost: it is left out of both lists, which is how the protocol says "lost" (docs/api.md).
//  - Acknowledge() forgets jobs avad has been told about and removes their directories.
//  - Reattach() (agent start) rebuilds all this from the state directory: live supervisors are
//    re-adopted, ended jobs are reported with the exit status their supervisor wrote, output is
//    shipped from the saved offsets, and jobs whose fate cannot be known are lost (their process
//    group is stopped if its leader is still alive, since no one watches it any more).
//
// Errors: Start and Kill never fail the agent (a job's problem ends that job); Reattach returns
// IOError when the state directory cannot be read. ShipLogs returns the first error of the shipping
// callback that should be retried later (the offsets stay where they were).
// Thread safety: not thread-safe; the agent's loop thread owns it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/job_dir.h"
#include "agent/job_environment.h"
#include "agent/protocol.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace ava::agent {

struct JobManagerOptions {
  std::string state_dir;
  // The supervisor command; the job directory is appended ({"/usr/bin/ava-agent", "supervise"}).
  std::vector<std::string> supervisor_argv;
  std::string node;
  int node_gpu_count = 0;
  std::string tree_root;                 // the avafs mount point; "" = none
  MountMode mode = MountMode::kSymlink;  // resolved: kNamespace or kSymlink
  Nanos kill_grace = std::chrono::seconds(10);
  EnvMap base_env;
  // A re-attached job whose supervisor has not recorded itself this long after launch is lost.
  Nanos start_timeout = std::chrono::seconds(30);
  // Batches shipped per job per ShipLogs call, so one chatty job cannot hold up heartbeats.
  int max_batches_per_call = 8;
  Clock* clock = nullptr;
  Logger* logger = nullptr;
  MetricsRegistry* metrics = nullptr;  // may be null
};

struct JobSnapshot {
  std::vector<RunningJob> running;
  std::vector<FinishedJob> finished;
  std::vector<JobKey> lost;  // ended with no known outcome; not reported (avad marks them lost)
};

// Ships one batch of a job's records; OK when avad has them. A non-retryable error (avad refused
// the batch) drops the batch, anything else keeps it for the next call.
using LogShipper = std::function<Status(JobId, const std::vector<OutputRecord>&)>;

class JobManager {
 public:
  explicit JobManager(JobManagerOptions options);
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  Status Reattach();
  void Start(const Assignment& a);
  // Stops every member of job `id` on this node.
  void Kill(JobId id, const std::string& reason);
  Status ShipLogs(const LogShipper& ship, uint64_t max_batch_bytes);
  JobSnapshot Poll();
  void Acknowledge(const std::vector<JobKey>& keys);

  bool Knows(JobKey key) const { return jobs_.count(key) > 0; }
  size_t size() const { return jobs_.size(); }
  // Jobs whose supervisor still runs.
  size_t running() const;

 private:
  enum class Phase {
    kStarting,  // re-attached without supervisor.json: the supervisor may still be starting
    kRunning,
    kEnded,  // exit.json read; output may still need shipping
    kLost,
  };
  struct Job {
    JobKey key;
    JobDir dir;
    Phase phase = Phase::kRunning;
    pid_t child = 0;  // our forked supervisor, until reaped (0 after a restart)
    std::optional<SupervisorRecord> record;
    Nanos launched{0};  // monotonic time of launch (or of re-attach)
    FinishedJob result;
    uint64_t shipped = 0;
    bool output_drained = false;  // everything up to the end of output.log is shipped
    bool kill_sent = false;
    bool workspace = false;       // kind: workspace (its activity is watched)
    uint64_t cpu_ticks = 0;       // its process group's CPU time at the last Poll()
    uint64_t output_bytes = 0;    // the size of output.log at the last Poll()
    Nanos last_activity{0};       // wall time it was last seen in use (0: not yet)
    bool listed_running = false;  // Poll() has listed it in `running` at least once
  };

  // Writes exit.json for a job that never ran and keeps it as ended.
  void FailAtStart(Job* job, const std::string& error);
  Status SpawnSupervisor(Job* job);
  void KillMember(Job* job, const std::string& reason);
  // Workspaces: moves last_activity when CPU time or output moved since the last call.
  void WatchActivity(Job* job, const std::map<pid_t, uint64_t>& cpu);
  // Refreshes one job's phase from its directory and processes.
  void Refresh(Job* job);
  void MarkLost(Job* job, const std::string& why);
  // The job's supervisor, if it is known and alive.
  std::optional<ProcessId> LiveSupervisor(Job* job);
  std::string JobPath(JobKey key) const;

  const JobManagerOptions options_;
  std::map<JobKey, Job> jobs_;
  Counter* started_ = nullptr;
  Counter* start_failures_ = nullptr;
  Counter* lost_ = nullptr;
  Counter* shipped_bytes_ = nullptr;
};

}  // namespace ava::agent
