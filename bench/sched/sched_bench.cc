// One scheduling decision on the full openb pool (1,523 nodes, 6,212 GPUs, 310 of the nodes
// CPU-only) at 50 % and 90 % of its GPUs allocated. See docs/benchmarks.md ("Scheduler").
//
// The pool is first filled with pods of the openb default trace in a seeded order, placed by the
// policy under test, until the allocated share reaches the load. A decision is then: choose a node
// and GPUs for the next pod of a fixed cycle of 4,096 trace pods (Policy::Place), allocate it, and
// release it again so the load stays put. Policy caches are warm, as in a running scheduler where
// only a node or two change between decisions.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <random>

#include "common/clock.h"
#include "sched/gang_placer.h"
#include "sched/policy_factory.h"
#include "sched/scheduler.h"
#include "sim/openb_trace.h"
#include "sim/trace_paths.h"

namespace ava {
namespace {

struct Fixture {
  sched::Cluster cluster;
  std::vector<sched::Demand> cycle;  // demands to decide, in order
  std::shared_ptr<const sched::WorkloadProfile> profile;
  gpu::Inventory inventory;
  std::vector<sim::OpenbPod> pods;
};

Result<std::unique_ptr<Fixture>> Load() {
  AVA_ASSIGN_OR_RETURN(std::string traces, sim::FindTraceDir());
  const std::string csv = traces + "/alibaba-gpu-v2023/csv/";
  AVA_ASSIGN_OR_RETURN(std::vector<sim::OpenbNode> nodes,
                       sim::LoadOpenbNodes(csv + "openb_node_list_all_node.csv"));
  AVA_ASSIGN_OR_RETURN(std::vector<sim::OpenbPod> pods,
                       sim::LoadOpenbPods(csv + "openb_pod_list_default.csv"));
  auto f = std::make_unique<Fixture>();
  f->inventory = sim::OpenbInventory(nodes);
  AVA_ASSIGN_OR_RETURN(f->cluster, sched::Cluster::Build(f->inventory));
  std::vector<sched::WorkloadShape> shapes;
  for (const sim::OpenbPod& p : pods) shapes.push_back(p.Shape());
  AVA_ASSIGN_OR_RETURN(sched::WorkloadProfile profile, sched::WorkloadProfile::Build(shapes, f->cluster, 95));
  f->profile = std::make_shared<const sched::WorkloadProfile>(std::move(profile));
  std::mt19937_64 rng(42);
  std::shuffle(pods.begin(), pods.end(), rng);
  for (const sim::OpenbPod& p : pods) {
    Result<sched::Demand> d = f->cluster.Resolve(p.ToRequest());
    if (d.ok()) f->cycle.push_back(*d);
  }
  f->pods = std::move(pods);
  return f;
}

const Fixture* Shared() {
  static const Result<std::unique_ptr<Fixture>> fixture = Load();
  return fixture.ok() ? fixture->get() : nullptr;
}

// The pool filled to `load` by `policy`, and the index of the first demand not used to fill it.
size_t Fill(sched::Cluster& c, sched::Policy& policy, const std::vector<sched::Demand>& demands,
            double load) {
  size_t i = 0;
  for (; i < demands.size() && c.allocated_gpu_milli() < load * static_cast<double>(c.total_gpu_milli());
       ++i) {
    if (std::optional<sched::Placement> p = policy.Place(c, demands[i])) c.Allocate(*p).IgnoreError();
  }
  return i;
}

void BM_Decision(benchmark::State& state, const char* policy_name, double load) {
  const Fixture* f = Shared();
  if (f == nullptr) {
    state.SkipWithError("the openb trace was not found (set AVA_TRACE_DIR)");
    return;
  }
  sched::PolicyOptions o;
  o.profile = f->profile;
  std::unique_ptr<sched::Policy> policy = std::move(sched::MakePolicy(policy_name, o)).value();
  sched::Cluster c = f->cluster;
  const size_t start = Fill(c, *policy, f->cycle, load);
  std::vector<sched::Demand> cycle(f->cycle.begin() + static_cast<long>(start % f->cycle.size()),
                                   f->cycle.end());
  cycle.insert(cycle.end(), f->cycle.begin(), f->cycle.end());
  cycle.resize(std::min<size_t>(cycle.size(), 4096));
  size_t k = 0;
  int64_t placed = 0;
  for (auto _ : state) {
    const sched::Demand& d = cycle[k++ % cycle.size()];
    std::optional<sched::Placement> p = policy->Place(c, d);
    if (p.has_value()) {
      c.Allocate(*p).IgnoreError();
      c.Release(*p).IgnoreError();
      ++placed;
    }
    benchmark::DoNotOptimize(p);
  }
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["placed%"] =
      100.0 * static_cast<double>(placed) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.counters["load%"] =
      100.0 * static_cast<double>(c.allocated_gpu_milli()) / static_cast<double>(c.total_gpu_milli());
}

// Through the Scheduler's public API: submit one job, run a scheduling pass, release it.
void BM_SchedulerPass(benchmark::State& state, double load) {
  const Fixture* f = Shared();
  if (f == nullptr) {
    state.SkipWithError("the openb trace was not found (set AVA_TRACE_DIR)");
    return;
  }
  FakeClock clock;
  sched::SchedulerOptions o;
  o.profile = f->profile;
  std::unique_ptr<sched::Scheduler> s = std::move(sched::Scheduler::Create(f->inventory, o, &clock)).value();
  size_t i = 0;
  int64_t id = 0;
  // Fill to the load through the scheduler itself.
  while (s->Snapshot().allocated_gpu_milli() < load * 6212000 && i < f->pods.size()) {
    for (int batch = 0; batch < 64 && i < f->pods.size(); ++batch, ++i) {
      sched::Gang g;
      g.id = std::to_string(id++);
      g.user = g.group = "fill";
      g.members.push_back(f->pods[i].ToRequest());
      s->Submit(std::move(g)).IgnoreError();
    }
    s->Schedule();
    for (const sched::JobView& v : s->Queue()) s->Release(v.id).IgnoreError();  // drop what did not fit
  }
  int64_t started = 0;
  for (auto _ : state) {
    sched::Gang g;
    g.id = std::to_string(id++);
    g.user = g.group = "bench";
    g.members.push_back(f->pods[i++ % f->pods.size()].ToRequest());
    const std::string job = g.id;
    s->Submit(std::move(g)).IgnoreError();
    sched::ScheduleResult r = s->Schedule();
    started += static_cast<int64_t>(r.started.size());
    s->Release(job).IgnoreError();
  }
  state.counters["passes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["started%"] =
      100.0 * static_cast<double>(started) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

BENCHMARK_CAPTURE(BM_Decision, ava_50, "ava", 0.5)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Decision, ava_90, "ava", 0.9)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Decision, fgd_50, "fgd", 0.5)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Decision, fgd_90, "fgd", 0.9)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Decision, best_fit_50, "best-fit", 0.5)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Decision, best_fit_90, "best-fit", 0.9)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Decision, topology_90, "topology", 0.9)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SchedulerPass, ava_50, 0.5)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SchedulerPass, ava_90, 0.9)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ava

BENCHMARK_MAIN();
