#include "sim/openb_experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "sched/node_fragmentation.h"
#include "sched/policy_factory.h"
#include "sim/go_rand.h"

namespace ava::sim {

double RoundAsPrinted2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return std::strtod(buf, nullptr);
}

Result<OpenbExperiment> OpenbExperiment::Load(const std::string& node_csv, const std::string& pod_csv) {
  OpenbExperiment e;
  AVA_ASSIGN_OR_RETURN(e.nodes_, LoadOpenbNodes(node_csv));
  AVA_ASSIGN_OR_RETURN(e.pods_, LoadOpenbPods(pod_csv));
  if (e.pods_.empty()) return Status::InvalidArgument(fmt::format("{}: no pods", pod_csv));
  std::sort(e.nodes_.begin(), e.nodes_.end(),
            [](const OpenbNode& a, const OpenbNode& b) { return a.name < b.name; });
  std::sort(e.pods_.begin(), e.pods_.end(),
            [](const OpenbPod& a, const OpenbPod& b) { return a.name < b.name; });
  AVA_ASSIGN_OR_RETURN(sched::Cluster cluster, sched::Cluster::Build(OpenbInventory(e.nodes_)));
  e.cluster_ = std::make_shared<const sched::Cluster>(std::move(cluster));
  std::vector<sched::WorkloadShape> shapes;
  shapes.reserve(e.pods_.size());
  for (const OpenbPod& p : e.pods_) {
    shapes.push_back(p.Shape());
    // Resolve by hand: a spec naming only models the cluster lacks makes a pod that never fits
    // (the reference drops it at arrival), rather than an error.
    sched::Request r = p.ToRequest();
    sched::Demand d;
    d.gpus = r.gpus;
    d.milli = r.gpus > 0 ? r.gpu_milli : 0;
    d.cpu_milli = r.cpu_milli;
    d.memory_bytes = r.memory_bytes;
    if (!r.gpu_models.empty()) {
      d.model_mask = 0;
      for (const std::string& m : r.gpu_models) {
        const int id = e.cluster_->ModelId(m);
        if (id >= 0) d.model_mask |= uint64_t{1} << id;
      }
    }
    e.demands_.push_back(d);
  }
  AVA_ASSIGN_OR_RETURN(sched::WorkloadProfile profile,
                       sched::WorkloadProfile::Build(shapes, *e.cluster_, 95));
  e.profile_ = std::make_shared<const sched::WorkloadProfile>(std::move(profile));
  return e;
}

OpenbExperiment::Sequence OpenbExperiment::MakeSequence(int64_t seed, double tune) const {
  GoRand rng(seed);
  rng.Int();  // consumed by a log call in the reference before the shuffle
  const int n = static_cast<int>(pods_.size());
  Sequence s;
  s.arrivals.resize(n);
  std::iota(s.arrivals.begin(), s.arrivals.end(), 0);
  rng.Shuffle(n, [&](int64_t i, int64_t j) { std::swap(s.arrivals[i], s.arrivals[j]); });
  const double target = tune * static_cast<double>(cluster_->total_gpu_milli());
  int64_t demand = 0;
  for (int i : s.arrivals) demand += pods_[i].total_gpu_milli();
  if (static_cast<double>(demand) < target) {
    // Top up with random copies of the name-sorted list; the stop test uses one GPU's share.
    while (true) {
      const int i = static_cast<int>(rng.Intn(n));
      if (static_cast<double>(demand + pods_[i].gpu_milli) > target) break;
      s.arrivals.push_back(i);
      demand += pods_[i].total_gpu_milli();
    }
  } else {
    while (static_cast<double>(demand) > target) {
      const int64_t at = rng.Intn(static_cast<int64_t>(s.arrivals.size()));
      demand -= pods_[s.arrivals[at]].total_gpu_milli();
      s.arrivals.erase(s.arrivals.begin() + at);
    }
  }
  s.originals = std::min(n, static_cast<int>(s.arrivals.size()));
  // The scheduler's informers draw ten numbers before the nodes are created.
  for (int i = 0; i < 10; ++i) rng.Int63();
  s.node_rank = rng.Perm(static_cast<int>(nodes_.size()));
  return s;
}

Result<OpenbRunResult> OpenbExperiment::Run(std::string_view policy_name, int64_t seed, double tune) const {
  sched::PolicyOptions options;
  options.seed = static_cast<uint64_t>(seed);
  options.profile = profile_;
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<sched::Policy> policy, sched::MakePolicy(policy_name, options));
  const Sequence seq = MakeSequence(seed, tune);
  sched::Cluster cluster = *cluster_;
  AVA_RETURN_IF_ERROR(cluster.SetRanks(seq.node_rank));

  const int nodes = cluster.node_count();
  std::vector<sched::FragAmount> node_frag(nodes);
  auto refresh = [&](int n) {
    const sched::Cluster::Node& node = cluster.node(n);
    sched::FragState state;
    state.model = node.model;
    state.gpu_count = node.gpu_count;
    state.cpu_left = node.cpu_left;
    state.gpu_left = node.gpu_left.data();
    node_frag[n] = sched::NodeFragAmount(state, *profile_);
  };
  for (int n = 0; n < nodes; ++n) refresh(n);

  OpenbRunResult result;
  result.events.reserve(seq.arrivals.size());
  int64_t arrived = 0;
  for (const int i : seq.arrivals) {
    const sched::Demand& d = demands_[i];
    arrived += d.total_gpu_milli();
    OpenbEvent ev;
    ev.arrived = arrived;
    std::optional<sched::Placement> p = policy->Place(cluster, d);
    if (p.has_value()) {
      Status s = cluster.Allocate(*p);
      if (!s.ok())
        return Status::Internal(
            fmt::format("policy {} chose a placement that does not fit: {}", policy_name, s.ToString()));
      refresh(p->node);
      ev.placed = true;
    } else {
      ++result.failed;
    }
    ev.used = cluster.allocated_gpu_milli();
    sched::FragAmount total;
    for (int n : cluster.order()) {
      for (int b = 0; b < sched::kFragBins; ++b) total.bin[b] += node_frag[n].bin[b];
    }
    const double frag = total.Fragment();
    const double idle = total.Idle();
    ev.frag = RoundAsPrinted2(frag);
    ev.frag_ratio = idle > 0 ? RoundAsPrinted2(100 * frag / idle) : 0;
    result.events.push_back(ev);
  }
  return result;
}

}  // namespace ava::sim
