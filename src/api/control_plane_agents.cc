// ControlPlane: the agent protocol (register, heartbeat, logs) and draining nodes.
#include <fmt/format.h>

#include <algorithm>

#include "api/control_plane.h"
#include "api/node_inventory_json.h"
#include "common/units.h"

namespace ava::api {
namespace {

std::string FailureText(const AgentFinished& f) {
  std::string out;
  if (f.signal && *f.signal != 0) {
    out = fmt::format("killed by signal {}", *f.signal);
  } else if (f.exit_code) {
    out = fmt::format("exit code {}", *f.exit_code);
  } else {
    out = "ended without an exit status";
  }
  if (!f.error.empty()) out += ": " + f.error;
  return out;
}

bool Failed(const AgentFinished& f) {
  return (f.signal && *f.signal != 0) || !f.exit_code || *f.exit_code != 0 || !f.error.empty();
}

}  // namespace

Result<db::Node> ControlPlane::Register(std::string_view node, std::string_view address,
                                        std::string_view inventory_json) {
  AVA_ASSIGN_OR_RETURN(gpu::NodeInventory inv, NodeInventoryFromJson(inventory_json, node));
  std::lock_guard<std::mutex> lock(mu_);
  AVA_ASSIGN_OR_RETURN(db::Node stored, store_.RegisterNode(node, address, inventory_json));
  AVA_LOG(logger_, kInfo, "nodes", "node {} registered from {}: {} GPUs{}{}", stored.name, address,
          inv.gpu_count(), inv.gpu_count() > 0 ? " " : "", inv.gpu_model());
  // An agent that registers again has restarted: starts it never acknowledged are handed out again.
  for (auto& [id, a] : active_) {
    for (MemberRun& m : a.members) {
      if (m.node == stored.name && m.delivered && !m.reported) m.delivered = false;
    }
  }
  Status pass = RunPassLocked();
  if (!pass.ok())
    AVA_LOG(logger_, kWarn, "sched", "pass after registering {} failed: {}", stored.name, pass.ToString());
  return stored;
}

Result<HeartbeatReply> ControlPlane::Heartbeat(std::string_view node_name, const HeartbeatReport& report) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<db::Node> node = store_.GetNodeByName(node_name);
  if (!node.ok()) {
    if (node.status().IsNotFound()) {
      return Status::FailedPrecondition(
          fmt::format("node {} is not registered; POST /v1/agent/register first", node_name));
    }
    return node.status();
  }
  const bool was_down = node->state == db::NodeState::kDown;
  AVA_RETURN_IF_ERROR(store_.Heartbeat(node->id));
  const std::string name = node->name;
  bool changed = was_down;
  const Nanos now = clock_.Now();

  // Which member of `a` on this node an entry speaks of.
  auto find_member = [&](ActiveJob& a, int member, bool want_unfinished) -> MemberRun* {
    for (size_t i = 0; i < a.members.size(); ++i) {
      MemberRun& m = a.members[i];
      if (m.node != name) continue;
      if (member >= 0 && static_cast<int>(i) != member) continue;
      if (want_unfinished && m.finished) continue;
      return &m;
    }
    return nullptr;
  };

  std::set<int64_t> listed;
  for (const AgentRunning& r : report.running) {
    listed.insert(r.job_id);
    auto it = active_.find(r.job_id);
    MemberRun* m = it == active_.end() ? nullptr : find_member(it->second, r.member, true);
    if (m == nullptr) {
      if (kills_[name].count(r.job_id) == 0) {
        Result<db::Job> job = store_.GetJob(r.job_id);
        const std::string why = job.ok() ? fmt::format("job {} is {} and not assigned to node {}", r.job_id,
                                                       db::Name(job->state), name)
                                         : fmt::format("job {} is not known to avad", r.job_id);
        OweKill(name, r.job_id, why, {});
        AVA_LOG(logger_, kWarn, "agents", "node {} runs job {} that is not its own: {}", name, r.job_id, why);
      }
      continue;
    }
    m->delivered = true;
    m->reported = true;
    ActiveJob& a = it->second;
    if (r.last_activity) a.last_activity = std::max(a.last_activity, *r.last_activity);
    if (a.state == db::JobState::kScheduled) {
      Result<db::Job> running =
          store_.TransitionJob(r.job_id, {db::JobState::kScheduled}, db::JobState::kRunning, db::JobUpdate{},
                               fmt::format("running on {} (pid {})", name, r.pid));
      if (running.ok()) {
        a.state = db::JobState::kRunning;
        a.last_activity = std::max(a.last_activity, clock_.WallNow());
      } else {
        AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", r.job_id, running.status().message());
      }
    }
  }

  for (const AgentFinished& f : report.finished) {
    listed.insert(f.job_id);
    changed |= kills_[name].erase(f.job_id) != 0;
    auto it = active_.find(f.job_id);
    MemberRun* m = it == active_.end() ? nullptr : find_member(it->second, f.member, true);
    if (m == nullptr) continue;  // already ended here (cancelled, preempted, lost): nothing to add
    changed = true;
    ActiveJob& a = it->second;
    m->delivered = true;
    m->reported = true;
    m->finished = true;
    m->exit_code = f.exit_code;
    m->ok = !Failed(f);
    if (!m->ok) m->failure = FailureText(f);
    if (!f.report_json.empty() && a.report_json.empty()) a.report_json = f.report_json;
    if (a.state == db::JobState::kScheduled) {
      // It ran and ended between two heartbeats: record that it ran, so its history and start
      // time are whole.
      Result<db::Job> ran = store_.TransitionJob(f.job_id, {db::JobState::kScheduled}, db::JobState::kRunning,
                                                 db::JobUpdate{}, fmt::format("ran on {}", name));
      if (ran.ok()) a.state = db::JobState::kRunning;
    }

    db::JobUpdate update;
    if (!a.report_json.empty()) update.report_json = a.report_json;
    const std::vector<db::JobState> from = {db::JobState::kScheduled, db::JobState::kRunning};
    if (!m->ok) {
      const size_t member = static_cast<size_t>(m - a.members.data());
      const std::string why =
          a.members.size() > 1 ? fmt::format("member {} on {}: {}", member, name, m->failure) : m->failure;
      update.exit_code = f.exit_code.value_or(-1);
      update.reason = why;
      Result<db::Job> r = EndActive(f.job_id, from, db::JobState::kFailed, update, why,
                                    fmt::format("another member of job {} failed", f.job_id));
      if (!r.ok()) AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", f.job_id, r.status().message());
      continue;
    }
    const bool all_done =
        std::all_of(a.members.begin(), a.members.end(), [](const MemberRun& x) { return x.finished; });
    if (!all_done) continue;
    update.exit_code = 0;
    update.reason = "";
    Result<db::Job> r = EndActive(f.job_id, from, db::JobState::kSucceeded, update, "exit code 0", "");
    if (!r.ok()) AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", f.job_id, r.status().message());
  }

  // Kills the agent carried out: the job is no longer listed as running.
  auto& owed = kills_[name];
  for (auto it = owed.begin(); it != owed.end();) {
    if (listed.count(it->first) == 0) {
      changed = true;
      it = owed.erase(it);
    } else {
      ++it;
    }
  }

  // Members this node had and no longer lists, or never started.
  std::vector<std::pair<int64_t, std::string>> lost;
  for (auto& [id, a] : active_) {
    for (size_t i = 0; i < a.members.size(); ++i) {
      const MemberRun& m = a.members[i];
      if (m.node != name || m.finished || !m.delivered || listed.count(id) != 0) continue;
      if (m.reported) {
        lost.emplace_back(
            id, fmt::format("node {} no longer runs it (the agent restarted or lost the process)", name));
        break;
      }
      if (now - m.delivered_at > options_.start_timeout) {
        lost.emplace_back(id, fmt::format("node {} did not start it within {}", name,
                                          FormatDuration(options_.start_timeout)));
        break;
      }
    }
  }
  for (const auto& [id, why] : lost) {
    db::JobUpdate update;
    update.reason = why;
    Result<db::Job> r = EndActive(id, {db::JobState::kScheduled, db::JobState::kRunning}, db::JobState::kLost,
                                  update, why, fmt::format("job {} was lost on node {}", id, name));
    if (!r.ok()) AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", id, r.status().message());
    changed = true;
  }

  if (changed) {
    Status pass = RunPassLocked();
    if (!pass.ok())
      AVA_LOG(logger_, kWarn, "sched", "pass after a heartbeat of {} failed: {}", name, pass.ToString());
  }

  HeartbeatReply reply;
  std::set<int> busy;  // GPUs of this node still held by jobs being killed
  for (const auto& [id, k] : kills_[name]) {
    reply.kill.push_back(KillOrder{id, k.reason});
    busy.insert(k.gpus.begin(), k.gpus.end());
  }
  for (auto& [id, a] : active_) {
    for (size_t i = 0; i < a.members.size(); ++i) {
      MemberRun& m = a.members[i];
      if (m.node != name || m.delivered) continue;
      const bool blocked = std::any_of(m.assignment.gpus.begin(), m.assignment.gpus.end(),
                                       [&](int g) { return busy.count(g) != 0; });
      if (blocked) continue;
      StartOrder s;
      s.job_id = id;
      s.spec = JobSpecToJson(a.spec);
      s.member = m.assignment;
      s.member.rank = static_cast<int>(i);
      s.gang_size = static_cast<int>(a.members.size());
      s.env = a.spec.env;
      s.env["AVA_JOB_ID"] = std::to_string(id);
      s.env["AVA_GANG_SIZE"] = std::to_string(a.members.size());
      s.env["AVA_GANG_RANK"] = std::to_string(i);
      s.env["CUDA_VISIBLE_DEVICES"] = m.assignment.VisibleDevices();
      reply.start.push_back(std::move(s));
      m.delivered = true;
      m.delivered_at = now;
    }
  }
  PublishJobGauges();
  return reply;
}

Status ControlPlane::AppendLogs(std::string_view node, int64_t job_id,
                                const std::vector<LogChunkIn>& chunks) {
  AVA_ASSIGN_OR_RETURN(db::Node n, store_.GetNodeByName(node));
  Result<db::Job> job = store_.GetJob(job_id);
  const Status not_here = Status::NotFound(fmt::format("job {} was never placed on node {}", job_id, node));
  if (!job.ok()) return job.status().IsNotFound() ? not_here : job.status();
  if (std::find(job->node_ids.begin(), job->node_ids.end(), n.id) == job->node_ids.end()) return not_here;
  for (const LogChunkIn& c : chunks) {
    if (c.data.empty()) continue;
    AVA_RETURN_IF_ERROR(store_.AppendLog(job_id, c.stream, c.data));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = active_.find(job_id);
    if (it != active_.end()) it->second.last_activity = std::max(it->second.last_activity, clock_.WallNow());
  }
  NotifyLogs();
  return Status::OK();
}

Result<db::Node> ControlPlane::SetDrained(std::string_view node_name, bool drained, std::string_view by) {
  std::lock_guard<std::mutex> lock(mu_);
  AVA_ASSIGN_OR_RETURN(db::Node node, store_.GetNodeByName(node_name));
  if (drained && node.state == db::NodeState::kDrained) return node;
  if (!drained && node.state != db::NodeState::kDrained) return node;
  // Undraining a node that stopped answering while drained leaves it down until it heartbeats.
  db::NodeState to = db::NodeState::kDrained;
  if (!drained) {
    const Nanos last = node.last_heartbeat.value_or(node.registered);
    to = clock_.WallNow() - last > options_.node_timeout ? db::NodeState::kDown : db::NodeState::kUp;
  }
  const std::string message =
      drained ? fmt::format("drained by {}: running jobs continue, nothing new is placed", by)
              : fmt::format("undrained by {}", by);
  AVA_ASSIGN_OR_RETURN(db::Node updated, store_.SetNodeState(node.id, to, message));
  AVA_LOG(logger_, kInfo, "nodes", "node {} {}", node.name, message);
  Status pass = RunPassLocked();
  if (!pass.ok())
    AVA_LOG(logger_, kWarn, "sched", "pass after draining {} failed: {}", node.name, pass.ToString());
  return updated;
}

}  // namespace ava::api
