// The Alibaba GPU cluster trace 2023 ("openb", Weng et al., ATC'23): node lists
// (sn, cpu_milli, memory_mib, gpu, model) and pod lists (name, cpu_milli, memory_mib, num_gpu,
// gpu_milli, gpu_spec, qos, pod_phase, creation_time, deletion_time, scheduled_time; the multigpu*
// files stop after gpu_milli). See ../shared/traces/alibaba-gpu-v2023/README.md.
//
// Pods are normalised as the published simulator does: a GPU pod takes num_gpu GPUs of gpu_milli
// each (clipped to 1000); gpu_milli <= 0 makes it CPU-only; gpu_spec lists the accepted models
// separated by '|'.
//
// Errors: NotFound for a missing file; InvalidArgument "file:line: …" for a malformed row or a
// missing column.
// Thread safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "gpu/inventory.h"
#include "sched/request.h"
#include "sched/workload_profile.h"

namespace ava::sim {

struct OpenbNode {
  std::string name;
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  int gpus = 0;
  std::string model;
};

struct OpenbPod {
  std::string name;
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  int gpus = 0;       // 0 for CPU-only
  int gpu_milli = 0;  // per GPU, 1..1000; 0 for CPU-only
  std::string gpu_spec;
  int64_t creation_time = -1;  // seconds; -1 when absent
  int64_t deletion_time = -1;
  int64_t scheduled_time = -1;

  int64_t total_gpu_milli() const { return int64_t{gpus} * gpu_milli; }
  sched::Request ToRequest() const;
  sched::WorkloadShape Shape() const;
};

Result<std::vector<OpenbNode>> LoadOpenbNodes(const std::string& path);
Result<std::vector<OpenbPod>> LoadOpenbPods(const std::string& path);
// Nodes with their GPUs; memory in MiB becomes bytes; no topology is known (each GPU on its own
// root port of one socket).
gpu::Inventory OpenbInventory(const std::vector<OpenbNode>& nodes);

}  // namespace ava::sim
