#include "api/control_plane.h"

#include <fmt/format.h>

#include <algorithm>

#include "api/node_inventory_json.h"
#include "common/units.h"

namespace ava::api {
namespace {

const std::vector<db::JobState> kLiveStates = {db::JobState::kQueued, db::JobState::kScheduled,
                                               db::JobState::kRunning};

std::string GpuList(const std::vector<int>& gpus) {
  if (gpus.empty()) return "no GPUs";
  return fmt::format("GPU{} {}", gpus.size() == 1 ? "" : "s", fmt::join(gpus, ","));
}

}  // namespace

ControlPlane::ControlPlane(db::Store& store, Clock& clock, std::unique_ptr<PoolPlanner> planner,
                           ControlPlaneOptions options, Logger* logger, MetricsRegistry* metrics)
    : store_(store),
      clock_(clock),
      options_(options),
      logger_(logger),
      metrics_(metrics),
      planner_(std::move(planner)) {}

ControlPlane::~ControlPlane() {
  Shutdown();
  if (metrics_ != nullptr) metrics_->RemoveCallbacks(this);
}

void ControlPlane::StartTicker(std::chrono::milliseconds interval) {
  if (ticker_.joinable() || interval.count() <= 0) return;
  ticker_ = std::thread([this, interval] {
    while (true) {
      {
        std::unique_lock<std::mutex> lock(log_mu_);
        log_cv_.wait_for(lock, interval, [this]() REQUIRES(log_mu_) { return stopping_; });
        if (stopping_) return;
      }
      Status s = Tick();
      if (!s.ok()) AVA_LOG(logger_, kWarn, "sched", "periodic pass failed: {}", s.ToString());
    }
  });
}

void ControlPlane::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    stopping_ = true;
  }
  log_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

bool ControlPlane::shutting_down() const {
  std::lock_guard<std::mutex> lock(log_mu_);
  return stopping_;
}

void ControlPlane::NotifyLogs() {
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    ++log_version_;
  }
  log_cv_.notify_all();
}

void ControlPlane::WaitForLogs(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(log_mu_);
  const uint64_t seen = log_version_;
  log_cv_.wait_for(lock, timeout, [&]() REQUIRES(log_mu_) { return stopping_ || log_version_ != seen; });
}

std::string ControlPlane::UserName(int64_t id) const {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = user_names_.find(id);
    if (it != user_names_.end()) return it->second;
  }
  Result<db::User> u = store_.GetUser(id);
  if (!u.ok()) return fmt::format("#{}", id);
  std::lock_guard<std::mutex> lock(cache_mu_);
  user_names_[id] = u->name;
  return u->name;
}

std::string ControlPlane::GroupName(std::optional<int64_t> id) const {
  if (!id) return "";
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = group_names_.find(*id);
    if (it != group_names_.end()) return it->second;
  }
  Result<db::Group> g = store_.GetGroup(*id);
  if (!g.ok()) return "";
  std::lock_guard<std::mutex> lock(cache_mu_);
  group_names_[*id] = g->name;
  return g->name;
}

std::string ControlPlane::NodeName(int64_t id) const {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = node_names_.find(id);
    if (it != node_names_.end()) return it->second;
  }
  Result<db::Node> n = store_.GetNode(id);
  if (!n.ok()) return fmt::format("#{}", id);
  std::lock_guard<std::mutex> lock(cache_mu_);
  node_names_[id] = n->name;
  return n->name;
}

Result<gpu::NodeInventory> ControlPlane::NodeInventory(const db::Node& node) const {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = inventories_.find(node.name);
    if (it != inventories_.end() && it->second.first == node.inventory_json) return it->second.second;
  }
  AVA_ASSIGN_OR_RETURN(gpu::NodeInventory inv, NodeInventoryFromJson(node.inventory_json, node.name));
  std::lock_guard<std::mutex> lock(cache_mu_);
  inventories_[node.name] = {node.inventory_json, inv};
  return inv;
}

Result<std::vector<db::Node>> ControlPlane::AllNodes() const {
  std::vector<db::Node> out;
  db::Page page;
  page.limit = db::Page::kMaxLimit;
  while (true) {
    AVA_ASSIGN_OR_RETURN(std::vector<db::Node> batch, store_.ListNodes(page));
    for (db::Node& n : batch) out.push_back(std::move(n));
    if (static_cast<int>(batch.size()) < page.limit) break;
    page.after_id = out.back().id;
  }
  return out;
}

Result<std::vector<db::Job>> ControlPlane::LiveJobs() const {
  std::vector<db::Job> out;
  db::JobFilter filter;
  filter.states = kLiveStates;
  db::Page page;
  page.limit = db::Page::kMaxLimit;
  while (true) {
    AVA_ASSIGN_OR_RETURN(std::vector<db::Job> batch, store_.ListJobs(filter, page));
    for (db::Job& j : batch) out.push_back(std::move(j));
    if (static_cast<int>(batch.size()) < page.limit) break;
    page.after_id = out.back().id;
  }
  return out;
}

Result<sched::QuotaConfig> ControlPlane::Quotas() const {
  AVA_ASSIGN_OR_RETURN(std::vector<db::Quota> quotas, store_.ListQuotas());
  sched::QuotaConfig config;
  for (const db::Quota& q : quotas) {
    sched::QuotaLimit& limit =
        q.scope == db::QuotaScope::kUser ? config.users[q.name] : config.groups[q.name];
    if (q.gpu_model == "*") {
      limit.gpu_milli = q.max_gpus * 1000;
    } else {
      limit.model_gpu_milli[q.gpu_model] = q.max_gpus * 1000;
    }
  }
  return config;
}

void ControlPlane::CountEnded(db::JobState state) {
  if (metrics_ == nullptr) return;
  metrics_
      ->GetCounter("ava_jobs_ended_total", "Jobs that reached a final state in this avad process",
                   {{"state", std::string(db::Name(state))}})
      .Inc();
}

nlohmann::json ControlPlane::NormalisedSpec(const db::Job& job) const {
  JobSpec spec;
  std::string field;
  if (!ParseJobSpec(job.spec_yaml, job.kind, &spec, &field).ok()) return nullptr;
  return JobSpecToJson(spec);
}

ControlPlane::ActiveJob ControlPlane::MakeActive(const db::Job& job, bool running) {
  ActiveJob a;
  a.state = job.state;
  a.kind = job.kind;
  std::string field;
  Status parsed = ParseJobSpec(job.spec_yaml, job.kind, &a.spec, &field);
  if (!parsed.ok()) {
    AVA_LOG(logger_, kWarn, "jobs", "job {}: its stored spec no longer parses: {}", job.id, parsed.message());
  }
  Result<Assignment> assignment = ParseAssignment(job.assignment_json);
  if (assignment.ok()) {
    for (const MemberAssignment& m : assignment->members) {
      MemberRun run;
      run.node = m.node;
      run.assignment = m;
      run.delivered = running;
      run.reported = running;
      run.delivered_at = clock_.Now();
      a.members.push_back(std::move(run));
    }
  }
  a.last_activity = std::max(job.started.value_or(Nanos(0)), clock_.WallNow());
  return a;
}

Status ControlPlane::SyncActive(const std::vector<db::Job>& live) {
  std::set<int64_t> seen;
  for (const db::Job& j : live) {
    if (j.state == db::JobState::kQueued) continue;
    seen.insert(j.id);
    auto it = active_.find(j.id);
    if (it == active_.end()) {
      // Not known in memory: avad restarted. A running job's members are taken as started; a
      // scheduled one's start is handed out again (agents list what they already run first).
      active_.emplace(j.id, MakeActive(j, j.state == db::JobState::kRunning));
    } else {
      it->second.state = j.state;
    }
  }
  for (auto it = active_.begin(); it != active_.end();) {
    it = seen.count(it->first) != 0 ? std::next(it) : active_.erase(it);
  }
  return Status::OK();
}

void ControlPlane::OweKill(const std::string& node, int64_t job_id, const std::string& reason,
                           const std::vector<int>& gpus) {
  PendingKill& k = kills_[node][job_id];
  if (k.reason.empty()) k.reason = reason;
  k.gpus.insert(gpus.begin(), gpus.end());
}

Result<db::Job> ControlPlane::EndActive(int64_t id, const std::vector<db::JobState>& from, db::JobState to,
                                        const db::JobUpdate& update, const std::string& message,
                                        const std::string& kill_reason) {
  AVA_ASSIGN_OR_RETURN(db::Job job, store_.TransitionJob(id, from, to, update, message));
  auto it = active_.find(id);
  if (it != active_.end()) {
    for (const MemberRun& m : it->second.members) {
      if (m.delivered && !m.finished) OweKill(m.node, id, kill_reason, m.assignment.gpus);
    }
    active_.erase(it);
  }
  if (db::IsTerminal(to)) CountEnded(to);
  NotifyLogs();
  return job;
}

Status ControlPlane::RunPass() {
  std::lock_guard<std::mutex> lock(mu_);
  return RunPassLocked();
}

Status ControlPlane::RunPassLocked() {
  AVA_ASSIGN_OR_RETURN(bool preempted, PlanAndApply());
  // Preempted jobs went back to the queue after the plan was made: plan again so the queue view
  // shows them with their position and reason.
  if (preempted) return PlanAndApply().status();
  return Status::OK();
}

Result<bool> ControlPlane::PlanAndApply() {
  AVA_ASSIGN_OR_RETURN(std::vector<db::Node> nodes, AllNodes());
  AVA_ASSIGN_OR_RETURN(std::vector<db::Job> live, LiveJobs());
  AVA_RETURN_IF_ERROR(SyncActive(live));

  PoolState state;
  AVA_ASSIGN_OR_RETURN(state.quotas, Quotas());
  std::map<std::string, int64_t> node_ids;
  for (const db::Node& n : nodes) {
    node_ids[n.name] = n.id;
    if (n.state != db::NodeState::kUp) continue;
    Result<gpu::NodeInventory> inv = NodeInventory(n);
    if (!inv.ok()) {
      AVA_LOG(logger_, kWarn, "sched", "node {} left out of the pool: {}", n.name, inv.status().message());
      continue;
    }
    state.pool.nodes.push_back(std::move(inv).value());
  }
  std::map<int64_t, const db::Job*> by_id;
  for (const db::Job& j : live) {
    by_id[j.id] = &j;
    PoolJob p;
    p.id = j.id;
    p.user = UserName(j.owner_id);
    p.group = GroupName(j.group_id);
    p.priority = static_cast<int>(j.priority);
    p.gang = static_cast<int>(j.gang_size);
    p.submitted = j.submitted;
    p.started = j.started.value_or(j.scheduled.value_or(j.submitted));
    auto it = active_.find(j.id);
    if (it != active_.end()) {
      p.member = it->second.spec.MemberRequest();
      for (const MemberRun& m : it->second.members) p.placement.push_back(m.assignment);
      state.holding.push_back(std::move(p));
    } else {
      JobSpec spec;
      std::string field;
      if (!ParseJobSpec(j.spec_yaml, j.kind, &spec, &field).ok()) continue;
      p.member = spec.MemberRequest();
      state.waiting.push_back(std::move(p));
    }
  }

  AVA_ASSIGN_OR_RETURN(PoolPlan plan, planner_->Plan(state));

  for (const PoolPlan::Preempt& p : plan.preempt) {
    auto victim = by_id.find(p.job_id);
    if (victim == by_id.end()) continue;
    const db::Job* by = by_id.count(p.by_job_id) != 0 ? by_id[p.by_job_id] : nullptr;
    const std::string why = by != nullptr
                                ? fmt::format("preempted by job {} (priority {})", by->id, by->priority)
                                : fmt::format("preempted by job {}", p.by_job_id);
    db::NewEvent e;
    e.job_id = p.job_id;
    e.type = "job.preempted";
    e.message = why;
    store_.AddEvent(e).IgnoreError();  // the transition below records the state change itself
    db::JobUpdate update;
    update.reason = why;
    const db::JobState to = options_.requeue_preempted ? db::JobState::kQueued : db::JobState::kFailed;
    Result<db::Job> moved =
        EndActive(p.job_id, {db::JobState::kScheduled, db::JobState::kRunning}, to, update,
                  options_.requeue_preempted ? fmt::format("back in the queue: {}", why) : why, why);
    if (!moved.ok()) {
      AVA_LOG(logger_, kWarn, "sched", "could not preempt job {}: {}", p.job_id, moved.status().message());
    } else {
      AVA_LOG(logger_, kInfo, "sched", "job {} {}", p.job_id, why);
      if (metrics_ != nullptr) metrics_->GetCounter("ava_preemptions_total", "Jobs preempted").Inc();
    }
  }

  for (const PoolPlan::Start& s : plan.start) {
    Assignment a;
    a.members = s.members;
    db::JobUpdate update;
    update.node_ids.emplace();
    std::vector<std::string> where;
    for (const MemberAssignment& m : s.members) {
      update.node_ids->push_back(node_ids.count(m.node) != 0 ? node_ids[m.node] : 0);
      where.push_back(fmt::format("{} ({})", m.node, GpuList(m.gpus)));
    }
    update.assignment_json = AssignmentToText(a);
    update.reason = "";
    Result<db::Job> job =
        store_.TransitionJob(s.job_id, {db::JobState::kQueued}, db::JobState::kScheduled, update,
                             fmt::format("scheduled on {}", fmt::join(where, ", ")));
    if (!job.ok()) {
      AVA_LOG(logger_, kWarn, "sched", "could not schedule job {}: {}", s.job_id, job.status().message());
      continue;
    }
    active_[s.job_id] = MakeActive(*job, false);
  }

  std::vector<QueueItem> queue;
  for (const PoolPlan::Waiting& w : plan.waiting) {
    auto it = by_id.find(w.job_id);
    if (it == by_id.end()) continue;
    const db::Job& j = *it->second;
    QueueItem q;
    q.job_id = j.id;
    q.name = j.name;
    q.kind = j.kind;
    q.user = UserName(j.owner_id);
    q.group = GroupName(j.group_id);
    q.priority = static_cast<int>(j.priority);
    q.position = w.position;
    q.reason = w.reason;
    q.gpus = j.gpus;
    q.gpu_model = j.gpu_model;
    q.cpus = j.cpus;
    q.memory_bytes = j.memory_bytes;
    q.gang = j.gang_size;
    q.submitted = j.submitted;
    queue.push_back(std::move(q));
  }
  queue_ = std::move(queue);
  PublishUsage(plan, nodes);
  return !plan.preempt.empty();
}

void ControlPlane::PublishJobGauges() {
  if (metrics_ == nullptr) return;
  int64_t scheduled = 0, running = 0;
  for (const auto& [id, a] : active_) (a.state == db::JobState::kRunning ? running : scheduled) += 1;
  metrics_->GetGauge("ava_jobs", "Jobs by state", {{"state", "queued"}})
      .Set(static_cast<int64_t>(queue_.size()));
  metrics_->GetGauge("ava_jobs", "Jobs by state", {{"state", "scheduled"}}).Set(scheduled);
  metrics_->GetGauge("ava_jobs", "Jobs by state", {{"state", "running"}}).Set(running);
  metrics_->GetGauge("ava_queue_length", "Jobs waiting in the queue")
      .Set(static_cast<int64_t>(queue_.size()));
}

void ControlPlane::PublishUsage(const PoolPlan& plan, const std::vector<db::Node>& nodes) {
  if (metrics_ == nullptr) return;
  PublishJobGauges();
  std::map<db::NodeState, int64_t> node_states;
  for (const db::Node& n : nodes) node_states[n.state] += 1;
  for (db::NodeState s : {db::NodeState::kUp, db::NodeState::kDown, db::NodeState::kDrained}) {
    metrics_->GetGauge("ava_nodes", "Nodes by state", {{"state", std::string(db::Name(s))}})
        .Set(node_states[s]);
  }
  std::vector<std::string> fresh;
  {
    std::lock_guard<std::mutex> lock(usage_mu_);
    for (auto& [model, u] : usage_) u = PoolPlan::ModelUsage{};
    for (const auto& [model, u] : plan.models) {
      usage_[model] = u;
      if (usage_registered_.insert(model).second) fresh.push_back(model);
    }
  }
  // Registered outside usage_mu_: rendering holds the registry's lock and then takes usage_mu_.
  for (const std::string& m : fresh) {
    auto read = [this, m](bool allocated) {
      std::lock_guard<std::mutex> l(usage_mu_);
      const PoolPlan::ModelUsage& x = usage_[m];
      return static_cast<double>(allocated ? x.allocated_milli : x.total_milli - x.allocated_milli) / 1000.0;
    };
    metrics_->AddCallbackGauge(
        "ava_gpus", "GPUs of the schedulable pool by model and state", {{"model", m}, {"state", "allocated"}},
        [read] { return read(true); }, this);
    metrics_->AddCallbackGauge(
        "ava_gpus", "GPUs of the schedulable pool by model and state", {{"model", m}, {"state", "free"}},
        [read] { return read(false); }, this);
  }
}

std::vector<QueueItem> ControlPlane::Queue() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_;
}

void ControlPlane::QuotasChanged() {
  Status s = RunPass();
  if (!s.ok()) AVA_LOG(logger_, kWarn, "sched", "pass after a quota change failed: {}", s.ToString());
}

void ControlPlane::NodeSilent(const db::Node& node, Nanos silence) {
  const std::string why =
      fmt::format("node {} stopped answering (no heartbeat for {})", node.name, FormatDuration(silence));
  if (node.state == db::NodeState::kUp) {
    Result<db::Node> down = store_.SetNodeState(node.id, db::NodeState::kDown, why);
    if (!down.ok()) {
      AVA_LOG(logger_, kWarn, "nodes", "could not mark node {} down: {}", node.name, down.status().message());
      return;
    }
    AVA_LOG(logger_, kWarn, "nodes", "{}", why);
  }
  kills_.erase(node.name);
  std::vector<int64_t> affected;
  for (const auto& [id, a] : active_) {
    for (const MemberRun& m : a.members) {
      if (m.node == node.name) {
        affected.push_back(id);
        break;
      }
    }
  }
  for (int64_t id : affected) {
    const ActiveJob& a = active_.at(id);
    bool started = a.state == db::JobState::kRunning;
    for (const MemberRun& m : a.members) started |= m.node == node.name && m.reported;
    db::JobUpdate update;
    if (started) {
      update.reason = why;
      Result<db::Job> lost =
          EndActive(id, {db::JobState::kScheduled, db::JobState::kRunning}, db::JobState::kLost, update, why,
                    fmt::format("job {} was lost with node {}", id, node.name));
      if (!lost.ok()) AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", id, lost.status().message());
    } else {
      const std::string requeue = fmt::format("node {} went down before the job started", node.name);
      update.reason = requeue;
      Result<db::Job> back = EndActive(id, {db::JobState::kScheduled}, db::JobState::kQueued, update, requeue,
                                       fmt::format("job {} was moved off node {}", id, node.name));
      if (!back.ok()) AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", id, back.status().message());
    }
  }
  if (node.state != db::NodeState::kUp && !affected.empty()) {
    db::NewEvent e;
    e.node_id = node.id;
    e.type = "node.silent";
    e.message = why;
    store_.AddEvent(e).IgnoreError();  // the jobs' own events already say what happened
  }
}

Status ControlPlane::Tick() {
  std::lock_guard<std::mutex> lock(mu_);
  AVA_ASSIGN_OR_RETURN(std::vector<db::Node> nodes, AllNodes());
  AVA_ASSIGN_OR_RETURN(std::vector<db::Job> live, LiveJobs());
  AVA_RETURN_IF_ERROR(SyncActive(live));
  const Nanos now = clock_.WallNow();

  for (const db::Node& n : nodes) {
    if (n.state == db::NodeState::kDown) continue;
    const Nanos last = n.last_heartbeat.value_or(n.registered);
    if (now - last <= options_.node_timeout) continue;
    if (n.state == db::NodeState::kDrained) {
      // A drained node stays drained; only its jobs are given up (once: they leave active_).
      bool has_jobs = false;
      for (const auto& [id, a] : active_) {
        for (const MemberRun& m : a.members) has_jobs |= m.node == n.name;
      }
      if (!has_jobs) continue;
    }
    NodeSilent(n, now - last);
  }

  for (const db::Job& j : live) {
    auto it = active_.find(j.id);
    if (it == active_.end() || it->second.state != db::JobState::kRunning) continue;
    const ActiveJob& a = it->second;
    if (j.max_runtime.count() > 0 && j.started && now - *j.started >= j.max_runtime) {
      const std::string why = fmt::format("exceeded its max_runtime of {}", FormatDuration(j.max_runtime));
      db::JobUpdate update;
      update.reason = why;
      Result<db::Job> r = EndActive(j.id, {db::JobState::kRunning}, db::JobState::kFailed, update, why, why);
      if (!r.ok()) AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", j.id, r.status().message());
      continue;
    }
    if (a.kind == db::JobKind::kWorkspace && a.spec.idle_timeout.count() > 0 &&
        now - a.last_activity >= a.spec.idle_timeout) {
      const std::string why = fmt::format("workspace idle for {} (no log output and no activity reported)",
                                          FormatDuration(a.spec.idle_timeout));
      db::JobUpdate update;
      update.reason = why;
      Result<db::Job> r =
          EndActive(j.id, {db::JobState::kRunning}, db::JobState::kCancelled, update, why, why);
      if (!r.ok()) AVA_LOG(logger_, kWarn, "jobs", "job {}: {}", j.id, r.status().message());
    }
  }
  return RunPassLocked();
}

Result<std::vector<GpuView>> ControlPlane::Gpus() {
  AVA_ASSIGN_OR_RETURN(std::vector<db::Node> nodes, AllNodes());
  AVA_ASSIGN_OR_RETURN(std::vector<db::Job> live, LiveJobs());
  std::map<std::pair<std::string, int>, GpuView> gpus;
  std::vector<std::pair<std::string, int>> order;
  for (const db::Node& n : nodes) {
    Result<gpu::NodeInventory> inv = NodeInventory(n);
    if (!inv.ok()) continue;
    for (const gpu::GpuDevice& g : inv->gpus) {
      GpuView v;
      v.node = n.name;
      v.node_state = n.state;
      v.index = g.index;
      v.model = g.model;
      v.memory_bytes = g.memory_bytes;
      gpus[{n.name, g.index}] = v;
      order.emplace_back(n.name, g.index);
    }
  }
  for (const db::Job& j : live) {
    if (j.state == db::JobState::kQueued) continue;
    Result<Assignment> a = ParseAssignment(j.assignment_json);
    if (!a.ok()) continue;
    for (const MemberAssignment& m : a->members) {
      for (int g : m.gpus) {
        auto it = gpus.find({m.node, g});
        if (it == gpus.end()) continue;
        it->second.allocated_milli += m.gpu_milli;
        if (std::find(it->second.jobs.begin(), it->second.jobs.end(), j.id) == it->second.jobs.end()) {
          it->second.jobs.push_back(j.id);
        }
      }
    }
  }
  std::vector<GpuView> out;
  for (const auto& key : order) out.push_back(gpus[key]);
  return out;
}

}  // namespace ava::api
