#include "api/fifo_pool_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "sched/cluster.h"
#include "sched/fit_explainer.h"
#include "sched/gang_placer.h"
#include "sched/policy_factory.h"
#include "sched/workload_profile.h"

namespace ava::api {
namespace {

std::string ModelsText(const sched::Request& r) { return fmt::format("{}", fmt::join(r.gpu_models, "|")); }

// The member shapes of every job in the state; the fragmentation-aware policies weigh placements
// against them.
std::vector<sched::WorkloadShape> Samples(const PoolState& state) {
  std::vector<sched::WorkloadShape> out;
  auto add = [&](const PoolJob& j) {
    sched::WorkloadShape s;
    s.cpu_milli = j.member.cpu_milli;
    s.gpus = j.member.gpus;
    s.milli = j.member.gpus > 0 ? j.member.gpu_milli : 0;
    s.gpu_models = j.member.gpus > 0 ? ModelsText(j.member) : std::string();
    s.memory_bytes = j.member.memory_bytes;
    for (int i = 0; i < j.gang; ++i) out.push_back(s);
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

}  // namespace

// A holding job and what it takes from this pass's pool and quotas.
struct FifoPoolPlanner::Held {
  const PoolJob* job = nullptr;
  std::vector<sched::Placement> placed;                  // on nodes of the pool
  std::vector<std::pair<std::string, int64_t>> charged;  // (model, milli) charged to the quotas
  bool preempted = false;
};

std::vector<FifoPoolPlanner::Held*> FifoPoolPlanner::FindVictims(const sched::Cluster& cluster,
                                                                 sched::Policy& policy,
                                                                 const std::vector<sched::Demand>& demands,
                                                                 int priority, std::vector<Held>& held) {
  std::vector<Held*> candidates;
  for (Held& h : held) {
    if (!h.preempted && h.job->priority < priority && !h.placed.empty()) candidates.push_back(&h);
  }
  if (candidates.empty()) return {};
  std::stable_sort(candidates.begin(), candidates.end(), [](const Held* a, const Held* b) {
    if (a->job->priority != b->job->priority) return a->job->priority < b->job->priority;
    if (a->job->started != b->job->started) return a->job->started > b->job->started;  // loses the least work
    return a->job->id > b->job->id;
  });
  auto fits = [&](const sched::Cluster& c) {
    sched::Cluster trial = c;
    return sched::PlaceGang(trial, policy, demands).has_value();
  };
  sched::Cluster trial = cluster;
  std::vector<Held*> victims;
  for (Held* v : candidates) {
    sched::ReleaseGang(trial, v->placed).IgnoreError();
    victims.push_back(v);
    if (fits(trial)) break;
  }
  if (!fits(trial)) return {};
  // Spare the victims that turn out not to be needed, most valuable first.
  for (size_t i = victims.size(); i-- > 0;) {
    sched::Cluster with = trial;
    bool restored = true;
    for (const sched::Placement& p : victims[i]->placed) restored &= with.Allocate(p).ok();
    if (restored && fits(with)) {
      trial = std::move(with);
      victims.erase(victims.begin() + static_cast<long>(i));
    }
  }
  return victims;
}

Result<PoolPlan> FifoPoolPlanner::Plan(const PoolState& state) {
  AVA_ASSIGN_OR_RETURN(sched::Cluster cluster, sched::Cluster::Build(state.pool));
  sched::QuotaBook quotas(state.quotas);

  // What is in use now, per holding job, so preemption can give it back.
  std::vector<Held> held;
  for (const PoolJob& j : state.holding) {
    Held h;
    h.job = &j;
    for (const MemberAssignment& m : j.placement) {
      const int n = cluster.FindNode(m.node);
      std::string model;
      if (n >= 0) {
        sched::Placement p;
        p.node = n;
        for (int g : m.gpus) {
          if (g >= 0 && g < sched::kMaxGpus) p.gpu_mask |= uint32_t{1} << g;
        }
        p.gpu_milli = m.gpus.empty() ? 0 : m.gpu_milli;
        p.cpu_milli = m.cpu_milli;
        p.memory_bytes = m.memory_bytes;
        Status s = cluster.Allocate(p);
        if (s.ok()) {
          h.placed.push_back(p);
        } else {
          AVA_LOG(logger_, kWarn, "sched", "job {} on node {} no longer fits its node's inventory: {}", j.id,
                  m.node, s.message());
        }
        if (cluster.node(n).model >= 0) model = cluster.models()[cluster.node(n).model];
      }
      if (!m.gpus.empty()) {
        const int64_t milli = static_cast<int64_t>(m.gpu_milli) * static_cast<int64_t>(m.gpus.size());
        quotas.Charge(j.user, j.group, model, milli);
        h.charged.emplace_back(model, milli);
      }
    }
    held.push_back(std::move(h));
  }

  PoolPlan plan;
  std::unique_ptr<sched::Policy> policy;
  if (cluster.node_count() > 0) {
    sched::PolicyOptions po;
    po.seed = seed_;
    Result<sched::WorkloadProfile> profile = sched::WorkloadProfile::Build(Samples(state), cluster, 95);
    if (profile.ok()) po.profile = std::make_shared<const sched::WorkloadProfile>(std::move(profile).value());
    Result<std::unique_ptr<sched::Policy>> made = sched::MakePolicy(policy_, po);
    if (!made.ok()) {
      // A profile-driven policy without a usable profile: place by packing rather than not at all.
      AVA_LOG(logger_, kWarn, "sched", "policy {} unavailable this pass ({}); using gpu-packing", policy_,
              made.status().message());
      made = sched::MakePolicy("gpu-packing", po);
    }
    AVA_ASSIGN_OR_RETURN(policy, std::move(made));
  }

  std::vector<const PoolJob*> order;
  for (const PoolJob& j : state.waiting) order.push_back(&j);
  std::stable_sort(order.begin(), order.end(), [](const PoolJob* a, const PoolJob* b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    if (a->submitted != b->submitted) return a->submitted < b->submitted;
    return a->id < b->id;
  });

  const PoolJob* blocker = nullptr;
  std::string blocker_reason;
  for (const PoolJob* j : order) {
    PoolPlan::Waiting wait{j->id, 0, ""};
    const int64_t total = j->member.total_gpu_milli() * j->gang;
    Status quota = quotas.Check(j->user, j->group, total);
    if (!quota.ok()) {
      wait.reason = quota.message();
      plan.waiting.push_back(std::move(wait));
      continue;
    }
    if (blocker != nullptr) {
      wait.reason = fmt::format("behind job {}, first in line ({})", blocker->id, blocker_reason);
      plan.waiting.push_back(std::move(wait));
      continue;
    }
    Result<sched::Demand> demand = cluster.Resolve(j->member);
    if (!demand.ok()) {
      wait.reason = fmt::format("{} (nodes with it may be down or drained)", demand.status().message());
      // Not a blocker: no job ahead of others can free what is not in the pool.
      plan.waiting.push_back(std::move(wait));
      continue;
    }
    std::string model_quota;
    const uint64_t allowed = quotas.AllowedModels(cluster, j->user, j->group, total, &model_quota);
    std::vector<sched::Demand> demands(static_cast<size_t>(j->gang), *demand);
    for (sched::Demand& d : demands) {
      if (d.gpus > 0) d.model_mask &= allowed;
    }
    std::optional<sched::GangPlacement> placed;
    if (policy != nullptr) placed = sched::PlaceGang(cluster, *policy, demands);
    if (!placed.has_value() && policy != nullptr) {
      std::vector<Held*> victims = FindVictims(cluster, *policy, demands, j->priority, held);
      for (Held* v : victims) {
        sched::ReleaseGang(cluster, v->placed).IgnoreError();  // allocated above
        for (const auto& [model, milli] : v->charged)
          quotas.Refund(v->job->user, v->job->group, model, milli);
        v->preempted = true;
        plan.preempt.push_back({v->job->id, j->id});
      }
      if (!victims.empty()) placed = sched::PlaceGang(cluster, *policy, demands);
    }
    if (placed.has_value()) {
      PoolPlan::Start start{j->id, {}};
      for (size_t rank = 0; rank < placed->size(); ++rank) {
        const sched::Placement& p = (*placed)[rank];
        const sched::Cluster::Node& node = cluster.node(p.node);
        MemberAssignment m;
        m.rank = static_cast<int>(rank);
        m.node = node.name;
        m.gpus = p.gpu_indices();
        m.gpu_milli = p.gpu_mask != 0 ? p.gpu_milli : 0;
        m.cpu_milli = p.cpu_milli;
        m.memory_bytes = p.memory_bytes;
        if (p.gpu_mask != 0) {
          quotas.Charge(j->user, j->group, cluster.models()[node.model],
                        static_cast<int64_t>(p.gpu_milli) * p.gpu_count());
        }
        start.members.push_back(std::move(m));
      }
      plan.start.push_back(std::move(start));
      continue;
    }
    if (cluster.node_count() == 0) {
      wait.reason = "no node is up and schedulable";
    } else if (allowed != sched::kAnyModel && !model_quota.empty()) {
      sched::Cluster trial = cluster;
      std::vector<sched::Demand> unrestricted(static_cast<size_t>(j->gang), *demand);
      wait.reason = sched::PlaceGang(trial, *policy, unrestricted).has_value()
                        ? model_quota
                        : sched::ExplainWaiting(cluster, demands);
    } else {
      wait.reason = sched::ExplainWaiting(cluster, demands);
    }
    blocker = j;
    blocker_reason = wait.reason;
    plan.waiting.push_back(std::move(wait));
  }
  int position = 1;
  for (PoolPlan::Waiting& w : plan.waiting) w.position = position++;

  for (int m = 0; m < static_cast<int>(cluster.models().size()); ++m) {
    plan.models[cluster.models()[m]].total_milli = int64_t{cluster.model_gpus()[m]} * 1000;
  }
  for (int n = 0; n < cluster.node_count(); ++n) {
    const sched::Cluster::Node& node = cluster.node(n);
    if (node.model < 0) continue;
    plan.models[cluster.models()[node.model]].allocated_milli +=
        int64_t{node.gpu_count} * 1000 - node.gpu_left_total;
  }
  return plan;
}

}  // namespace ava::api
