// ControlPlane: submitting, reading, listing and cancelling jobs (who may see what: docs/api.md).
#include <fmt/format.h>

#include <algorithm>

#include "api/control_plane.h"
#include "api/submit_check.h"

namespace ava::api {

Result<db::Job> ControlPlane::Submit(const Caller& caller, std::string_view text,
                                     std::optional<db::JobKind> forced_kind, std::string* field) {
  field->clear();
  JobSpec spec;
  AVA_RETURN_IF_ERROR(ParseJobSpec(text, forced_kind, &spec, field));

  std::optional<int64_t> group_id = caller.DefaultGroup();
  if (!spec.group.empty()) {
    Result<db::Group> g = store_.GetGroupByName(spec.group);
    if (!g.ok()) {
      *field = "group";
      if (g.status().IsNotFound())
        return Status::InvalidArgument(fmt::format("there is no group '{}'", spec.group));
      return g.status();
    }
    if (!caller.InGroup(g->id) && !caller.is_admin()) {
      *field = "group";
      return Status::PermissionDenied(fmt::format("you are not a member of group '{}'", spec.group));
    }
    group_id = g->id;
  }
  const std::string group_name = GroupName(group_id);

  {
    AVA_ASSIGN_OR_RETURN(std::vector<db::Node> nodes, AllNodes());
    gpu::Inventory known;
    for (const db::Node& n : nodes) {
      Result<gpu::NodeInventory> inv = NodeInventory(n);
      if (inv.ok()) known.nodes.push_back(std::move(inv).value());
    }
    AVA_ASSIGN_OR_RETURN(sched::QuotaConfig quotas, Quotas());
    AVA_RETURN_IF_ERROR(CheckCanEverRun(spec, known, quotas, caller.user.name, group_name, field));
  }

  db::NewJob job;
  job.owner_id = caller.user.id;
  job.group_id = group_id;
  job.name = spec.name;
  job.kind = spec.kind;
  job.spec_yaml = std::string(text);
  job.priority = spec.priority;
  job.gpus = spec.GpusPerMember();
  job.gpu_model = spec.GpuModelText();
  job.gang_size = spec.gang;
  job.cpus = static_cast<double>(spec.cpu_milli) / 1000.0;
  job.memory_bytes = static_cast<int64_t>(spec.memory_bytes);
  job.max_runtime = spec.max_runtime;
  AVA_ASSIGN_OR_RETURN(db::Job created, store_.CreateJob(job));
  AVA_LOG(logger_, kInfo, "jobs", "{} submitted {} {} ({})", caller.user.name, db::Name(created.kind),
          created.id, spec.MemberRequest().ToString());
  Status pass = RunPass();
  if (!pass.ok())
    AVA_LOG(logger_, kWarn, "sched", "pass after submitting job {} failed: {}", created.id, pass.ToString());
  return created;
}

Result<db::Job> ControlPlane::VisibleJob(const Caller& caller, int64_t id) {
  Result<db::Job> job = store_.GetJob(id);
  const Status missing = Status::NotFound(fmt::format("job {} not found", id));
  if (!job.ok()) return job.status().IsNotFound() ? missing : job.status();
  const bool visible = caller.is_admin() || job->owner_id == caller.user.id ||
                       (job->group_id.has_value() && caller.IsGroupAdmin(*job->group_id));
  if (!visible) return missing;
  return job;
}

Result<std::vector<db::Job>> ControlPlane::ListVisibleJobs(const Caller& caller, std::optional<int64_t> owner,
                                                           const std::vector<db::JobState>& states,
                                                           std::optional<db::JobKind> kind,
                                                           const db::Page& page) {
  // Every job a caller may see lies in one of these id-ordered lists; their merge is paged as one.
  std::vector<db::JobFilter> filters;
  db::JobFilter base;
  base.states = states;
  base.kind = kind;
  base.owner_id = owner;
  if (caller.is_admin()) {
    filters.push_back(base);
  } else {
    if (!owner || *owner == caller.user.id) {
      db::JobFilter own = base;
      own.owner_id = caller.user.id;
      filters.push_back(own);
    }
    for (const db::Membership& m : caller.memberships) {
      if (m.role != db::Role::kAdmin) continue;
      db::JobFilter group = base;
      group.group_id = m.group_id;
      filters.push_back(group);
    }
  }
  std::vector<db::Job> merged;
  for (const db::JobFilter& f : filters) {
    AVA_ASSIGN_OR_RETURN(std::vector<db::Job> part, store_.ListJobs(f, page));
    for (db::Job& j : part) merged.push_back(std::move(j));
  }
  std::sort(merged.begin(), merged.end(), [](const db::Job& a, const db::Job& b) { return a.id < b.id; });
  merged.erase(std::unique(merged.begin(), merged.end(),
                           [](const db::Job& a, const db::Job& b) { return a.id == b.id; }),
               merged.end());
  if (static_cast<int>(merged.size()) > page.limit) merged.resize(static_cast<size_t>(page.limit));
  return merged;
}

Result<db::Job> ControlPlane::Cancel(const Caller& caller, int64_t id, bool workspace_only) {
  AVA_ASSIGN_OR_RETURN(db::Job job, VisibleJob(caller, id));
  if (workspace_only && job.kind != db::JobKind::kWorkspace) {
    return Status::NotFound(fmt::format("workspace {} not found (job {} is not a workspace)", id, id));
  }
  if (db::IsTerminal(job.state)) {
    return Status::FailedPrecondition(fmt::format("job {} already ended ({})", id, db::Name(job.state)));
  }
  const std::string why = fmt::format("{} by {}", workspace_only ? "stopped" : "cancelled", caller.user.name);
  db::JobUpdate update;
  update.reason = why;
  Result<db::Job> done = [&]() -> Result<db::Job> {
    std::lock_guard<std::mutex> lock(mu_);
    Result<db::Job> r =
        EndActive(id, {db::JobState::kQueued, db::JobState::kScheduled, db::JobState::kRunning},
                  db::JobState::kCancelled, update, why, why);
    if (r.ok()) {
      Status pass = RunPassLocked();
      if (!pass.ok())
        AVA_LOG(logger_, kWarn, "sched", "pass after cancelling job {} failed: {}", id, pass.ToString());
    }
    return r;
  }();
  if (!done.ok() && done.status().code() == Code::kFailedPrecondition) {
    // It ended between the read and the transition.
    Result<db::Job> now = store_.GetJob(id);
    if (now.ok())
      return Status::FailedPrecondition(fmt::format("job {} already ended ({})", id, db::Name(now->state)));
  }
  if (done.ok()) AVA_LOG(logger_, kInfo, "jobs", "job {} {}", id, why);
  return done;
}

}  // namespace ava::api
