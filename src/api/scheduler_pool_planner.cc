#include "api/scheduler_pool_planner.h"

#include <fmt/format.h>

#include "sched/workload_profile.h"

namespace ava::api {

namespace {

// avad stores wall times; the Scheduler orders and backfills by its clock's Now(). Giving it wall
// time keeps submit and start times of every pass on one scale.
class WallClock final : public Clock {
 public:
  explicit WallClock(Clock* base) : base_(base) {}
  Nanos Now() const override { return base_->WallNow(); }
  Nanos WallNow() const override { return base_->WallNow(); }
  void SleepFor(Nanos d) override { base_->SleepFor(d); }

 private:
  Clock* base_;
};

sched::Gang GangOf(const PoolJob& j) {
  sched::Gang g;
  g.id = std::to_string(j.id);
  g.user = j.user;
  g.group = j.group;
  g.priority = j.priority;
  g.members.assign(static_cast<size_t>(std::max(1, j.gang)), j.member);
  return g;
}

std::string ModelsText(const sched::Request& r) {
  std::string out;
  for (const auto& m : r.gpu_models) out += (out.empty() ? "" : "|") + m;
  return out;
}

// The shapes of everything in this pass, for the policies that weigh placements by the workload.
std::vector<sched::WorkloadShape> Samples(const PoolState& state) {
  std::vector<sched::WorkloadShape> out;
  auto add = [&](const PoolJob& j) {
    sched::WorkloadShape s;
    s.cpu_milli = j.member.cpu_milli;
    s.gpus = j.member.gpus;
    s.milli = j.member.gpus > 0 ? j.member.gpu_milli : 0;
    s.gpu_models = j.member.gpus > 0 ? ModelsText(j.member) : std::string();
    s.memory_bytes = j.member.memory_bytes;
    for (int i = 0; i < std::max(1, j.gang); ++i) out.push_back(s);
  };
  for (const PoolJob& j : state.holding) add(j);
  for (const PoolJob& j : state.waiting) add(j);
  if (out.empty()) {
    sched::WorkloadShape s;
    s.gpus = 1;
    s.milli = 1000;
    out.push_back(s);
  }
  return out;
}

MemberAssignment ToMember(const sched::Cluster& cluster, const sched::Placement& p, int rank) {
  MemberAssignment m;
  m.rank = rank;
  m.node = cluster.node(p.node).name;
  m.gpus = p.gpu_indices();
  m.gpu_milli = p.gpu_mask != 0 ? p.gpu_milli : 0;
  m.cpu_milli = p.cpu_milli;
  m.memory_bytes = p.memory_bytes;
  return m;
}

}  // namespace

Result<PoolPlan> SchedulerPoolPlanner::Plan(const PoolState& state) {
  PoolPlan plan;
  if (state.pool.nodes.empty()) {
    int position = 1;
    for (const PoolJob& j : state.waiting)
      plan.waiting.push_back({j.id, position++, "no node is up and schedulable"});
    return plan;
  }
  AVA_ASSIGN_OR_RETURN(sched::Cluster pool, sched::Cluster::Build(state.pool));
  sched::SchedulerOptions options = options_;
  options.quotas = state.quotas;
  if (options.profile == nullptr) {
    Result<sched::WorkloadProfile> profile = sched::WorkloadProfile::Build(Samples(state), pool, 95);
    if (profile.ok())
      options.profile = std::make_shared<const sched::WorkloadProfile>(std::move(profile).value());
  }
  WallClock wall(clock_);
  Result<std::unique_ptr<sched::Scheduler>> made =
      sched::Scheduler::Create(state.pool, options, &wall, logger_);
  if (!made.ok()) {
    // A profile-driven policy without a usable profile: place by packing rather than not at all.
    AVA_LOG(logger_, kWarn, "sched", "policy {} unavailable this pass ({}); using gpu-packing",
            options.policy, made.status().message());
    options.policy = "gpu-packing";
    made = sched::Scheduler::Create(state.pool, options, &wall, logger_);
  }
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<sched::Scheduler> scheduler, std::move(made));

  for (const PoolJob& j : state.holding) {
    sched::GangPlacement placement;
    for (const MemberAssignment& m : j.placement) {
      sched::Placement p;
      p.node = pool.FindNode(m.node);  // -1 while its node is down or drained
      for (int g : m.gpus) {
        if (g >= 0 && g < sched::kMaxGpus) p.gpu_mask |= uint32_t{1} << g;
      }
      p.gpu_milli = m.gpus.empty() ? 0 : m.gpu_milli;
      p.cpu_milli = m.cpu_milli;
      p.memory_bytes = m.memory_bytes;
      placement.push_back(p);
    }
    sched::Gang g = GangOf(j);
    placement.resize(g.members.size(), sched::Placement{});
    Status s = scheduler->Adopt(std::move(g), std::move(placement), j.submitted, j.started);
    if (!s.ok())
      AVA_LOG(logger_, kWarn, "sched", "job {} no longer fits its node's inventory: {}", j.id, s.message());
  }
  std::vector<PoolPlan::Waiting> refused;
  for (const PoolJob& j : state.waiting) {
    Status s = scheduler->Submit(GangOf(j), j.submitted);
    if (!s.ok()) {
      std::string reason = s.message();
      if (s.IsNotFound() || s.code() == Code::kFailedPrecondition)
        reason += " (nodes may be down or drained)";
      refused.push_back({j.id, 0, std::move(reason)});
    }
  }

  sched::ScheduleResult result = scheduler->Schedule();
  const sched::Cluster after = scheduler->Snapshot();
  for (const auto& started : result.started) {
    PoolPlan::Start start{std::stoll(started.id), {}};
    for (size_t rank = 0; rank < started.placement.size(); ++rank) {
      start.members.push_back(ToMember(after, started.placement[rank], static_cast<int>(rank)));
    }
    plan.start.push_back(std::move(start));
  }
  for (size_t i = 0; i < result.preempted.size(); ++i) {
    plan.preempt.push_back({std::stoll(result.preempted[i]), std::stoll(result.preempted_for[i])});
  }
  for (const sched::JobView& v : scheduler->Queue()) plan.waiting.push_back({std::stoll(v.id), 0, v.reason});
  for (PoolPlan::Waiting& w : refused) plan.waiting.push_back(std::move(w));
  int position = 1;
  for (PoolPlan::Waiting& w : plan.waiting) w.position = position++;

  for (int m = 0; m < static_cast<int>(after.models().size()); ++m) {
    plan.models[after.models()[m]].total_milli = int64_t{after.model_gpus()[m]} * 1000;
  }
  for (int n = 0; n < after.node_count(); ++n) {
    const sched::Cluster::Node& node = after.node(n);
    if (node.model < 0) continue;
    plan.models[after.models()[node.model]].allocated_milli +=
        int64_t{node.gpu_count} * 1000 - node.gpu_left_total;
  }
  return plan;
}

}  // namespace ava::api
