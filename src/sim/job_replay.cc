#include "sim/job_replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>

#include "sched/scheduler.h"

namespace ava::sim {
namespace {

double Seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

// Nearest-rank percentile of a sorted vector.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

}  // namespace

gpu::Inventory VenusPool(const JobTrace& trace) {
  gpu::Inventory inv;
  int nodes = 0;
  for (const VirtualCluster& vc : trace.groups) nodes += vc.nodes;
  for (int i = 0; i < nodes; ++i) {
    gpu::NodeInventory n;
    n.name = fmt::format("venus-{:03d}", i);
    n.cpu_milli = 64000;
    n.memory_bytes = uint64_t{512} << 30;
    n.sockets = {gpu::CpuSocket{0, 32000, uint64_t{256} << 30},
                 gpu::CpuSocket{1, 32000, uint64_t{256} << 30}};
    for (int g = 0; g < 8; ++g) {
      gpu::GpuDevice d;
      d.index = g;
      d.model = "V100";
      d.memory_bytes = uint64_t{32} << 30;
      d.socket = g / 4;
      d.pcie_switch = g / 2;
      n.gpus.push_back(d);
    }
    n.DerivePaths();
    inv.nodes.push_back(std::move(n));
  }
  return inv;
}

Result<JobReplayResult> ReplayJobs(const gpu::Inventory& pool, const JobTrace& trace,
                                   const JobReplayConfig& config) {
  sched::SchedulerOptions o;
  o.policy = config.placement;
  if (config.queue == "fifo") {
    o.order = sched::QueueOrder::kFifo;
    o.backfill = sched::Backfill::kNone;
    o.preemption = false;
    o.fair_share = false;
  } else if (config.queue == "sjf") {
    o.order = sched::QueueOrder::kShortestFirst;
    o.backfill = sched::Backfill::kGreedy;
    o.preemption = false;
    o.fair_share = false;
  } else if (config.queue == "ava") {
    o.order = sched::QueueOrder::kPriority;
    o.backfill = sched::Backfill::kEasy;
  } else {
    return Status::InvalidArgument(fmt::format("unknown queue policy '{}' (fifo, sjf or ava)", config.queue));
  }
  int total_nodes = 0;
  for (const VirtualCluster& vc : trace.groups) total_nodes += vc.nodes;
  const int pool_gpus = pool.gpu_count();
  for (const VirtualCluster& vc : trace.groups) {
    const double share = static_cast<double>(vc.nodes) / total_nodes;
    o.group_weights[vc.name] = share;
    if (config.quotas) {
      o.quotas.groups[vc.name].gpu_milli =
          static_cast<int64_t>(std::ceil(share * pool_gpus * config.quota_scale)) * 1000;
    }
  }
  FakeClock clock(Nanos(0), Nanos(0));
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<sched::Scheduler> scheduler,
                       sched::Scheduler::Create(pool, o, &clock));
  int max_node_gpus = 0;
  for (const gpu::NodeInventory& n : pool.nodes) max_node_gpus = std::max(max_node_gpus, n.gpu_count());
  if (max_node_gpus == 0) return Status::InvalidArgument("the pool has no GPUs");

  struct Running {
    Nanos end;
    int index;
    int epoch;
    bool operator>(const Running& other) const {
      return end != other.end ? end > other.end : index > other.index;
    }
  };
  std::priority_queue<Running, std::vector<Running>, std::greater<>> ending;
  std::map<std::string, int> index_of;
  for (size_t i = 0; i < trace.jobs.size(); ++i) index_of[trace.jobs[i].id] = static_cast<int>(i);
  std::vector<int> epoch(trace.jobs.size(), 0);
  std::vector<Nanos> first_start(trace.jobs.size(), Nanos(-1));
  std::vector<double> jct, wait;
  JobReplayResult out;
  size_t next = 0;
  Nanos now(0), last_event(0), last_end(0);
  double gpu_milli_seconds = 0;
  int64_t allocated = 0;
  int waiting = 0;
  while (next < trace.jobs.size() || !ending.empty()) {
    Nanos t = Nanos::max();
    if (next < trace.jobs.size()) t = trace.jobs[next].submit;
    if (!ending.empty()) t = std::min(t, ending.top().end);
    // Utilisation is measured over the arrival window, when the offered load applies.
    const Nanos from = std::min(last_event, trace.window), to = std::min(t, trace.window);
    if (to > from) gpu_milli_seconds += static_cast<double>(allocated) * Seconds(to - from);
    last_event = t;
    clock.Advance(t - now);
    now = t;
    while (!ending.empty() && ending.top().end == t) {
      const Running r = ending.top();
      ending.pop();
      if (r.epoch != epoch[r.index]) continue;  // preempted since it was scheduled to end
      const SimJob& j = trace.jobs[r.index];
      AVA_RETURN_IF_ERROR(scheduler->Release(j.id));
      ++out.completed;
      jct.push_back(Seconds(t - j.submit));
      wait.push_back(Seconds(first_start[r.index] - j.submit));
      last_end = t;
    }
    while (next < trace.jobs.size() && trace.jobs[next].submit == t) {
      const SimJob& j = trace.jobs[next++];
      ++out.submitted;
      sched::Gang g;
      g.id = j.id;
      g.user = j.group;
      g.group = j.group;
      g.expected_runtime = j.runtime;
      for (int left = j.gpus; left > 0; left -= max_node_gpus) {
        const int k = std::min(left, max_node_gpus);
        g.members.push_back(sched::Request::Gpus(k, config.cpu_milli_per_gpu * k, config.memory_per_gpu * k));
      }
      if (scheduler->Submit(std::move(g)).ok()) {
        ++waiting;
      } else {
        ++out.rejected;
      }
    }
    sched::ScheduleResult result = scheduler->Schedule();
    for (const std::string& id : result.preempted) {
      const int i = index_of[id];
      ++epoch[i];
      ++out.preemptions;
      ++waiting;
    }
    for (const auto& s : result.started) {
      const int i = index_of[s.id];
      if (first_start[i] < Nanos(0)) first_start[i] = t;
      ending.push(Running{t + trace.jobs[i].runtime, i, epoch[i]});
      --waiting;
    }
    allocated = scheduler->Snapshot().allocated_gpu_milli();
  }
  out.unfinished = waiting;
  std::sort(jct.begin(), jct.end());
  std::sort(wait.begin(), wait.end());
  out.avg_jct_s = Mean(jct);
  out.p95_jct_s = Percentile(jct, 0.95);
  out.avg_wait_s = Mean(wait);
  out.p95_wait_s = Percentile(wait, 0.95);
  out.max_wait_s = wait.empty() ? 0 : wait.back();
  const Nanos begin = trace.jobs.empty() ? Nanos(0) : trace.jobs.front().submit;
  out.makespan_s = Seconds(last_end - begin);
  out.gpu_utilization = gpu_milli_seconds / 1000.0 / (pool_gpus * Seconds(trace.window));
  return out;
}

}  // namespace ava::sim
