#include "agent/agent.h"

#include <fmt/format.h>

#include "agent/inventory_json.h"

namespace ava::agent {
namespace {

using std::chrono::milliseconds;

constexpr Nanos kDefaultInterval = std::chrono::seconds(5);

}  // namespace

Agent::Agent(const AgentConfig& config, AgentDeps deps)
    : config_(config),
      deps_(deps),
      interval_(config.heartbeat_interval > Nanos(0) ? config.heartbeat_interval : kDefaultInterval) {
  if (deps_.metrics != nullptr) {
    heartbeats_ = &deps_.metrics->GetCounter("ava_agent_heartbeats_total", "Heartbeats avad answered");
    heartbeat_errors_ = &deps_.metrics->GetCounter("ava_agent_heartbeat_errors_total",
                                                   "Rounds that failed to register or heartbeat");
    running_jobs_ = &deps_.metrics->GetGauge("ava_agent_jobs_running", "Jobs running on this node");
  }
}

Status Agent::Register() {
  Result<gpu::NodeInventory> inv = deps_.inventory->Discover();
  if (!inv.ok()) return inv.status().Annotate("cannot describe this node");
  Result<RegisterReply> reply =
      deps_.client->Register(config_.node, config_.address, NodeInventoryToJson(*inv), kAgentVersion);
  if (!reply.ok()) return reply.status().Annotate("register");
  if (config_.heartbeat_interval > Nanos(0)) {
    interval_ = config_.heartbeat_interval;
  } else if (reply->heartbeat_interval_ms > 0) {
    interval_ = milliseconds(reply->heartbeat_interval_ms);
  }
  registered_ = true;
  AVA_LOG(deps_.logger, kInfo, "agent", "registered node {} ({} GPU(s) {}) with {}; heartbeat every {} ms",
          config_.node, inv->gpu_count(), inv->gpu_model(), config_.server,
          std::chrono::duration_cast<milliseconds>(interval_).count());
  return Status::OK();
}

Status Agent::RunOnce() {
  if (!registered_) {
    if (Status s = Register(); !s.ok()) {
      if (heartbeat_errors_ != nullptr) heartbeat_errors_->Inc();
      return s;
    }
  }
  if (deps_.avafs != nullptr && deps_.clock->Now() >= next_avafs_check_) {
    next_avafs_check_ = deps_.clock->Now() + config_.avafs.health_interval;
    if (Status s = deps_.avafs->Check(); !s.ok()) {
      AVA_LOG(deps_.logger, kError, "avafs", "{}", s.ToString());
    }
  }

  Status shipped = deps_.jobs->ShipLogs(
      [this](JobId id, const std::vector<OutputRecord>& chunks) {
        return deps_.client->ShipLogs(id, chunks);
      },
      config_.log_batch_bytes);
  if (!shipped.ok()) AVA_LOG(deps_.logger, kWarn, "agent", "shipping logs: {}", shipped.ToString());

  JobSnapshot snap = deps_.jobs->Poll();
  if (running_jobs_ != nullptr) running_jobs_->Set(static_cast<int64_t>(deps_.jobs->running()));
  Result<HeartbeatReply> reply = deps_.client->Heartbeat(config_.node, snap.running, snap.finished);
  if (!reply.ok()) {
    if (heartbeat_errors_ != nullptr) heartbeat_errors_->Inc();
    // avad does not know the node (a new database answers "not registered") or the token changed:
    // register again next round. Registering again is harmless: avad keeps the node's jobs.
    const Code c = reply.status().code();
    if (c == Code::kNotFound || c == Code::kFailedPrecondition || c == Code::kUnauthenticated)
      registered_ = false;
    return reply.status().Annotate("heartbeat");
  }
  if (heartbeats_ != nullptr) heartbeats_->Inc();

  std::vector<JobKey> told;
  for (const FinishedJob& f : snap.finished) told.push_back({f.job_id, f.member});
  told.insert(told.end(), snap.lost.begin(), snap.lost.end());
  deps_.jobs->Acknowledge(told);
  for (const KillOrder& k : reply->kill) deps_.jobs->Kill(k.job_id, k.reason);
  for (const Assignment& a : reply->start) {
    if (!deps_.jobs->Knows(a.key())) deps_.jobs->Start(a);
  }
  return shipped;
}

void Agent::Run() {
  std::string last_error;
  while (!stop_.load()) {
    const Nanos round_start = deps_.clock->Now();
    Status s = RunOnce();
    if (!s.ok() && s.ToString() != last_error) {
      // Logged when it changes, not every round, so a long outage of avad is a few lines.
      AVA_LOG(deps_.logger, kWarn, "agent", "{}", s.ToString());
    } else if (s.ok() && !last_error.empty()) {
      AVA_LOG(deps_.logger, kInfo, "agent", "avad answers again");
    }
    last_error = s.ok() ? "" : s.ToString();
    const Nanos wake = round_start + interval_;
    while (!stop_.load() && deps_.clock->Now() < wake) deps_.clock->SleepFor(milliseconds(100));
  }
}

}  // namespace ava::agent
