// Agent: ava-agent's loop. Each round it
//   1. registers with avad when it has not (or avad forgot the node): the node inventory from the
//      injected GpuInventory (NVML or a declared file), as inventory_json.h writes it;
//   2. health-checks the node's avafs daemon when due (restarting it if it died);
//   3. ships new job output (JobManager::ShipLogs), oldest first, batched;
//   4. heartbeats: running and finished jobs out, jobs to kill and to start back; acknowledged
//      finished and lost jobs are forgotten, kills are sent before starts.
// Rounds run every heartbeat interval: the configured one, else the one avad answers at register
// (5 s when neither says). A failed round changes nothing locally — jobs keep running under their
// supervisors — and the next round tries again.
//
// Errors: RunOnce returns the first failure of the round (Unavailable when avad does not answer).
// Thread safety: RunOnce/Run from one thread; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <string>

#include "agent/agent_config.h"
#include "agent/avad_client.h"
#include "agent/avafs_daemon.h"
#include "agent/job_manager.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "gpu/gpu_inventory.h"

namespace ava::agent {

inline constexpr const char* kAgentVersion = "0.1.0";

struct AgentDeps {
  Clock* clock = nullptr;
  Logger* logger = nullptr;
  MetricsRegistry* metrics = nullptr;
  gpu::GpuInventory* inventory = nullptr;
  AvadClient* client = nullptr;
  JobManager* jobs = nullptr;
  AvafsDaemon* avafs = nullptr;  // may be null: no dataset tree managed by the agent
};

class Agent {
 public:
  Agent(const AgentConfig& config, AgentDeps deps);

  // One round (see above).
  Status RunOnce();
  // Rounds until Stop(); sleeps in short steps so Stop() takes effect within 100 ms.
  void Run();
  void Stop() { stop_.store(true); }

  Nanos interval() const { return interval_; }
  bool registered() const { return registered_; }

 private:
  Status Register();

  const AgentConfig config_;
  const AgentDeps deps_;
  std::atomic<bool> stop_{false};
  bool registered_ = false;
  Nanos interval_;
  Nanos next_avafs_check_{0};
  Counter* heartbeats_ = nullptr;
  Counter* heartbeat_errors_ = nullptr;
  Gauge* running_jobs_ = nullptr;
};

}  // namespace ava::agent
