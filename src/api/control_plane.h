// ControlPlane: avad's state machine — jobs, nodes and the scheduling loop — between the REST
// handlers (one file per resource) and the database. The database holds everything that must
// survive a restart (jobs, placements, events, logs, nodes); this class adds only what concerns
// the conversation with agents right now: which starts were handed to which agent, which kills are
// still owed, when a workspace last showed activity.
//
// Job lifecycle (docs/avad.md): queued → scheduled (a pass placed it; the placement is stored) →
// running (its agent lists it) → succeeded | failed | cancelled | lost. Every transition goes
// through db::Store::TransitionJob, which checks the state it leaves and writes the event.
//
// The scheduling pass (RunPass) rebuilds the pool from the database — nodes up and not drained,
// jobs holding GPUs at their stored placements, queued jobs, quotas — and asks the PoolPlanner
// what to start and what to preempt, then applies that: scheduled jobs are handed to their agents
// on their next heartbeat, preempted ones are killed through the agent protocol and requeued
// (options.requeue_preempted, default) or failed. Passes run on submit, cancel, registration,
// drain/undrain, quota changes, heartbeats that free something, and every Tick().
//
// Tick() also enforces time: nodes silent for node_timeout go down (their running jobs become lost,
// their scheduled ones go back to the queue), running jobs past max_runtime fail and are killed,
// idle workspaces are stopped. A workspace is idle when, for its idle_timeout, it wrote no log output
// and its agent reported no activity (a heartbeat's running entry may carry `last_activity`).
//
// GPUs being freed by a kill are not handed to a new job until the agent no longer lists the killed
// one: a start waits while a kill on its node is owed for any of its GPUs.
//
// Errors: Submit returns InvalidArgument (with the spec's field), FailedPrecondition for a job that
// can never run; jobs the caller may not see are NotFound, exactly like missing ones; store errors
// pass through (Unavailable).
//
// Thread safety: all public methods are safe to call concurrently. Lock order: mu_ (every state
// change, held across the store calls of one operation, so passes, heartbeats and cancels are
// serialised) before cache_mu_, usage_mu_ and log_mu_; the metrics registry's lock before
// usage_mu_ (rendering reads the GPU gauges), so usage_mu_ is never held while calling the registry.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/assignment.h"
#include "api/caller.h"
#include "api/job_spec.h"
#include "api/pool_planner.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "db/store.h"
#include "gpu/node_inventory.h"

namespace ava::api {

struct ControlPlaneOptions {
  // A node whose last heartbeat is older than this is down.
  Nanos node_timeout = std::chrono::seconds(30);
  // What agents are told to use.
  Nanos heartbeat_interval = std::chrono::seconds(5);
  // A start handed to an agent that never lists the job within this is lost.
  Nanos start_timeout = std::chrono::minutes(2);
  // Preempted jobs go back to the queue (true) or fail (false).
  bool requeue_preempted = true;
};

// ---- the agent protocol (docs/api.md, "Agents")
struct AgentRunning {
  int64_t job_id = 0;
  int member = -1;  // -1: not given (the job's first unfinished member on the node)
  int64_t pid = 0;
  std::string state;
  std::optional<Nanos> last_activity;  // wall time of the last sign of use (workspaces)
};
struct AgentFinished {
  int64_t job_id = 0;
  int member = -1;
  std::optional<int64_t> exit_code;
  std::optional<int64_t> signal;
  std::string error;
  std::string report_json;  // "" when none
};
struct HeartbeatReport {
  std::vector<AgentRunning> running;
  std::vector<AgentFinished> finished;
};
struct StartOrder {
  int64_t job_id = 0;
  nlohmann::json spec;
  MemberAssignment member;
  int gang_size = 1;
  std::map<std::string, std::string> env;
};
struct KillOrder {
  int64_t job_id = 0;
  std::string reason;
};
struct HeartbeatReply {
  std::vector<StartOrder> start;
  std::vector<KillOrder> kill;
};
struct LogChunkIn {
  db::LogStream stream = db::LogStream::kStdout;
  std::string data;
};

// A waiting job as GET /v1/queue shows it.
struct QueueItem {
  int64_t job_id = 0;
  std::string name;
  db::JobKind kind = db::JobKind::kJob;
  std::string user;
  std::string group;
  int priority = 0;
  int position = 0;
  std::string reason;
  double gpus = 0;  // per member, as stored
  std::string gpu_model;
  double cpus = 0;
  int64_t memory_bytes = 0;
  int64_t gang = 1;
  Nanos submitted{0};
};

// One GPU of the pool as GET /v1/gpus shows it.
struct GpuView {
  std::string node;
  db::NodeState node_state = db::NodeState::kUp;
  int index = 0;
  std::string model;
  uint64_t memory_bytes = 0;
  int64_t allocated_milli = 0;
  std::vector<int64_t> jobs;
};

class ControlPlane {
 public:
  // `store`, `clock` and `planner` are required; `logger` and `metrics` may be null. The store must
  // use the same clock.
  ControlPlane(db::Store& store, Clock& clock, std::unique_ptr<PoolPlanner> planner,
               ControlPlaneOptions options, Logger* logger, MetricsRegistry* metrics);
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // Runs Tick() every `interval` of real time on a thread of its own until Shutdown().
  void StartTicker(std::chrono::milliseconds interval);
  // Stops the ticker and ends every log stream that is waiting. Idempotent.
  void Shutdown();
  bool shutting_down() const;

  const ControlPlaneOptions& options() const { return options_; }
  db::Store& store() { return store_; }

  // ---- jobs
  // Parses, validates and queues a job spec (YAML or JSON) for `caller`; runs a pass. *field names
  // the offending spec field on InvalidArgument/FailedPrecondition.
  Result<db::Job> Submit(const Caller& caller, std::string_view text, std::optional<db::JobKind> forced_kind,
                         std::string* field) EXCLUDES(mu_);
  // The job, if `caller` may see it (owner, admin, admin of the job's group); NotFound otherwise.
  Result<db::Job> VisibleJob(const Caller& caller, int64_t id);
  // The jobs `caller` may see, id-ordered and paged. `owner`: only that user's.
  Result<std::vector<db::Job>> ListVisibleJobs(const Caller& caller, std::optional<int64_t> owner,
                                               const std::vector<db::JobState>& states,
                                               std::optional<db::JobKind> kind, const db::Page& page);
  // Cancels a waiting or running job (a running one is killed by its agent). FailedPrecondition if
  // it already ended. `workspace_only`: NotFound unless it is a workspace (POST /v1/workspaces/…/stop).
  Result<db::Job> Cancel(const Caller& caller, int64_t id, bool workspace_only) EXCLUDES(mu_);
  // The job's normalised spec (what agents receive), or null JSON when it cannot be read.
  nlohmann::json NormalisedSpec(const db::Job& job) const;

  // ---- nodes and agents
  Result<db::Node> Register(std::string_view node, std::string_view address, std::string_view inventory_json)
      EXCLUDES(mu_);
  Result<HeartbeatReply> Heartbeat(std::string_view node, const HeartbeatReport& report) EXCLUDES(mu_);
  // Appends the chunks in order. NotFound unless the job was placed on `node`.
  Status AppendLogs(std::string_view node, int64_t job_id, const std::vector<LogChunkIn>& chunks)
      EXCLUDES(mu_);
  Result<db::Node> SetDrained(std::string_view node, bool drained, std::string_view by) EXCLUDES(mu_);
  // The node's inventory as stored, parsed (cached); NotFound/InvalidArgument when unreadable.
  Result<gpu::NodeInventory> NodeInventory(const db::Node& node) const;
  Result<std::vector<GpuView>> Gpus();

  // ---- scheduling
  Status RunPass() EXCLUDES(mu_);
  // Node timeouts, max_runtime, workspace idle, then a pass.
  Status Tick() EXCLUDES(mu_);
  // The waiting jobs in order, as of the last pass.
  std::vector<QueueItem> Queue() const EXCLUDES(mu_);
  // Called after any change of quotas (they take effect in the pass it runs).
  void QuotasChanged() EXCLUDES(mu_);

  // ---- log streaming
  // Waits until new log output or a job change may have happened, `timeout` (real time) passed,
  // or Shutdown().
  void WaitForLogs(std::chrono::milliseconds timeout) EXCLUDES(log_mu_);

  // Cached names of users and groups ("" for a missing group).
  std::string UserName(int64_t id) const;
  std::string GroupName(std::optional<int64_t> id) const;
  // A node's name by id ("#<id>" once the node is deleted).
  std::string NodeName(int64_t id) const;

 private:
  struct MemberRun {
    std::string node;
    MemberAssignment assignment;
    bool delivered = false;
    Nanos delivered_at{0};  // monotonic
    bool reported = false;  // the agent has listed it
    bool finished = false;
    bool ok = true;
    std::string failure;  // why the member failed
    std::optional<int64_t> exit_code;
  };
  struct ActiveJob {
    db::JobState state = db::JobState::kScheduled;
    db::JobKind kind = db::JobKind::kJob;
    std::vector<MemberRun> members;
    JobSpec spec;
    Nanos last_activity{0};  // wall
    std::string report_json;
  };
  struct PendingKill {
    std::string reason;
    std::set<int> gpus;  // GPUs the killed job holds on the node until the agent lets go
  };

  // Everything below REQUIRES(mu_).
  Status RunPassLocked() REQUIRES(mu_);
  // One plan applied; true when it preempted something.
  Result<bool> PlanAndApply() REQUIRES(mu_);
  void PublishJobGauges() REQUIRES(mu_);
  Status SyncActive(const std::vector<db::Job>& live) REQUIRES(mu_);
  ActiveJob MakeActive(const db::Job& job, bool running) REQUIRES(mu_);
  // Moves a scheduled/running job to a terminal state (or back to the queue), owes kills for its
  // delivered members and forgets it. FailedPrecondition when it already left those states.
  Result<db::Job> EndActive(int64_t id, const std::vector<db::JobState>& from, db::JobState to,
                            const db::JobUpdate& update, const std::string& message,
                            const std::string& kill_reason) REQUIRES(mu_);
  void OweKill(const std::string& node, int64_t job_id, const std::string& reason,
               const std::vector<int>& gpus) REQUIRES(mu_);
  void NodeSilent(const db::Node& node, Nanos silence) REQUIRES(mu_);
  Result<std::vector<db::Node>> AllNodes() const;
  Result<std::vector<db::Job>> LiveJobs() const;
  Result<sched::QuotaConfig> Quotas() const;
  void CountEnded(db::JobState state);
  void NotifyLogs() EXCLUDES(log_mu_);
  void PublishUsage(const PoolPlan& plan, const std::vector<db::Node>& nodes) REQUIRES(mu_);

  db::Store& store_;
  Clock& clock_;
  const ControlPlaneOptions options_;
  Logger* const logger_;
  MetricsRegistry* const metrics_;

  mutable std::mutex mu_;
  std::unique_ptr<PoolPlanner> planner_ GUARDED_BY(mu_);
  std::map<int64_t, ActiveJob> active_ GUARDED_BY(mu_);                          // scheduled and running jobs
  std::map<std::string, std::map<int64_t, PendingKill>> kills_ GUARDED_BY(mu_);  // by node, then job
  std::vector<QueueItem> queue_ GUARDED_BY(mu_);

  // Caches of immutable facts: names by id, parsed inventories by stored text.
  mutable std::mutex cache_mu_;
  mutable std::map<int64_t, std::string> user_names_ GUARDED_BY(cache_mu_);
  mutable std::map<int64_t, std::string> group_names_ GUARDED_BY(cache_mu_);
  mutable std::map<int64_t, std::string> node_names_ GUARDED_BY(cache_mu_);
  mutable std::map<std::string, std::pair<std::string, gpu::NodeInventory>> inventories_
      GUARDED_BY(cache_mu_);

  mutable std::mutex usage_mu_;
  std::map<std::string, PoolPlan::ModelUsage> usage_ GUARDED_BY(usage_mu_);
  std::set<std::string> usage_registered_ GUARDED_BY(usage_mu_);

  mutable std::mutex log_mu_;
  std::condition_variable log_cv_;
  uint64_t log_version_ GUARDED_BY(log_mu_) = 0;
  bool stopping_ GUARDED_BY(log_mu_) = false;

  std::thread ticker_;
};

}  // namespace ava::api
