// OpenbExperiment: the published fragmentation experiment of the FGD paper (Weng et al., ATC'23)
// on the openb trace, re-implemented step by step from
// ../shared/traces/fgd-expected-results/PROTOCOL.md:
//   - the cluster is the GPU nodes of the trace; every node is evaluated for every pod;
//   - pods are sorted by name and shuffled with Go's math/rand seeded with the run's seed, then
//     topped up with random copies (or trimmed) until the requested GPU demand is `tune` (1.3)
//     times the cluster's GPUs; ten more draws are skipped and a Perm of the nodes gives each node
//     its tie-breaking rank;
//   - pods arrive one by one and never leave; a pod that fits nowhere is dropped, its demand still
//     counts as arrived;
//   - after every arrival the experiment records the arrived and allocated milli-GPU and the
//     cluster's fragmentation (fragment milli-GPU and fragment / idle), rounded as the reference
//     logged them.
// Any sched::Policy can run in it; the fragmentation measure uses the workload profile of the CSV
// (all pods, before the tune).
//
// Errors: Load fails on unreadable or malformed CSVs; Run fails on an unknown policy name.
// Thread safety: Run is const and may be called from several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sched/cluster.h"
#include "sched/workload_profile.h"
#include "sim/openb_trace.h"

namespace ava::sim {

struct OpenbEvent {
  int64_t arrived = 0;    // milli-GPU requested so far, this pod included
  int64_t used = 0;       // milli-GPU allocated after the event
  double frag = 0;        // fragment milli-GPU (2 decimals, as logged)
  double frag_ratio = 0;  // fragment / idle, % (2 decimals, as logged)
  bool placed = false;
};

struct OpenbRunResult {
  std::vector<OpenbEvent> events;
  int64_t failed = 0;  // pods that fitted nowhere
};

class OpenbExperiment {
 public:
  static Result<OpenbExperiment> Load(const std::string& node_csv, const std::string& pod_csv);

  // The arrival order (indices into pods(); tune copies repeat an index) and each node's rank.
  struct Sequence {
    std::vector<int> arrivals;
    std::vector<int> node_rank;
    int originals = 0;  // arrivals before the first tune copy
  };
  Sequence MakeSequence(int64_t seed, double tune) const;

  Result<OpenbRunResult> Run(std::string_view policy, int64_t seed, double tune = 1.3) const;

  const std::vector<OpenbNode>& nodes() const { return nodes_; }
  const std::vector<OpenbPod>& pods() const { return pods_; }
  const sched::Cluster& cluster() const { return *cluster_; }
  std::shared_ptr<const sched::WorkloadProfile> profile() const { return profile_; }
  int total_gpus() const { return cluster_->total_gpus(); }

 private:
  std::vector<OpenbNode> nodes_;                   // sorted by name
  std::vector<OpenbPod> pods_;                     // sorted by name
  std::shared_ptr<const sched::Cluster> cluster_;  // empty, ranks by index
  std::vector<sched::Demand> demands_;             // per pod
  std::shared_ptr<const sched::WorkloadProfile> profile_;
};

// A double rounded to 2 decimals the way printf("%.2f") prints it (exact, ties to even).
double RoundAsPrinted2(double v);

}  // namespace ava::sim
