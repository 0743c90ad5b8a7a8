#include "sim/openb_trace.h"

#include <fmt/format.h>

#include "sim/csv_reader.h"

namespace ava::sim {
namespace {

Result<int> RequireColumn(const CsvTable& t, const std::string& path, std::string_view name) {
  const int c = t.Column(name);
  if (c < 0) return Status::InvalidArgument(fmt::format("{}: no column '{}'", path, name));
  return c;
}

}  // namespace

sched::Request OpenbPod::ToRequest() const {
  sched::Request r;
  r.gpus = gpus;
  r.gpu_milli = gpus > 0 ? gpu_milli : 1000;
  r.cpu_milli = cpu_milli;
  r.memory_bytes = static_cast<uint64_t>(memory_mib) << 20;
  if (gpus > 0 && !gpu_spec.empty()) {
    size_t start = 0;
    while (start <= gpu_spec.size()) {
      size_t bar = gpu_spec.find('|', start);
      if (bar == std::string::npos) bar = gpu_spec.size();
      if (bar > start) r.gpu_models.push_back(gpu_spec.substr(start, bar - start));
      start = bar + 1;
    }
  }
  return r;
}

sched::WorkloadShape OpenbPod::Shape() const {
  sched::WorkloadShape s;
  s.cpu_milli = cpu_milli;
  s.milli = gpu_milli;
  s.gpus = gpus;
  s.gpu_models = gpus > 0 ? gpu_spec : std::string();
  s.memory_bytes = static_cast<uint64_t>(memory_mib) << 20;
  return s;
}

Result<std::vector<OpenbNode>> LoadOpenbNodes(const std::string& path) {
  AVA_ASSIGN_OR_RETURN(CsvTable t, CsvTable::Load(path));
  AVA_ASSIGN_OR_RETURN(int sn, RequireColumn(t, path, "sn"));
  AVA_ASSIGN_OR_RETURN(int cpu, RequireColumn(t, path, "cpu_milli"));
  AVA_ASSIGN_OR_RETURN(int mem, RequireColumn(t, path, "memory_mib"));
  AVA_ASSIGN_OR_RETURN(int gpu, RequireColumn(t, path, "gpu"));
  AVA_ASSIGN_OR_RETURN(int model, RequireColumn(t, path, "model"));
  std::vector<OpenbNode> nodes;
  nodes.reserve(t.rows());
  for (size_t r = 0; r < t.rows(); ++r) {
    OpenbNode n;
    n.name = t.Cell(r, sn);
    AVA_ASSIGN_OR_RETURN(n.cpu_milli, t.Int(r, cpu));
    AVA_ASSIGN_OR_RETURN(n.memory_mib, t.Int(r, mem));
    AVA_ASSIGN_OR_RETURN(int64_t g, t.Int(r, gpu));
    n.gpus = static_cast<int>(g);
    n.model = n.gpus > 0 ? t.Cell(r, model) : std::string();
    nodes.push_back(std::move(n));
  }
  return nodes;
}

Result<std::vector<OpenbPod>> LoadOpenbPods(const std::string& path) {
  AVA_ASSIGN_OR_RETURN(CsvTable t, CsvTable::Load(path));
  AVA_ASSIGN_OR_RETURN(int name, RequireColumn(t, path, "name"));
  AVA_ASSIGN_OR_RETURN(int cpu, RequireColumn(t, path, "cpu_milli"));
  AVA_ASSIGN_OR_RETURN(int mem, RequireColumn(t, path, "memory_mib"));
  AVA_ASSIGN_OR_RETURN(int num_gpu, RequireColumn(t, path, "num_gpu"));
  AVA_ASSIGN_OR_RETURN(int gpu_milli, RequireColumn(t, path, "gpu_milli"));
  const int spec = t.Column("gpu_spec");
  const int created = t.Column("creation_time");
  const int deleted = t.Column("deletion_time");
  const int scheduled = t.Column("scheduled_time");
  std::vector<OpenbPod> pods;
  pods.reserve(t.rows());
  for (size_t r = 0; r < t.rows(); ++r) {
    OpenbPod p;
    p.name = t.Cell(r, name);
    AVA_ASSIGN_OR_RETURN(p.cpu_milli, t.Int(r, cpu));
    AVA_ASSIGN_OR_RETURN(p.memory_mib, t.Int(r, mem));
    AVA_ASSIGN_OR_RETURN(int64_t k, t.Int(r, num_gpu));
    AVA_ASSIGN_OR_RETURN(int64_t m, t.Int(r, gpu_milli));
    if (k > 0 && m > 0) {
      p.gpus = static_cast<int>(k);
      p.gpu_milli = static_cast<int>(std::min<int64_t>(m, 1000));
      if (spec >= 0) p.gpu_spec = t.Cell(r, spec);
    }
    AVA_ASSIGN_OR_RETURN(p.creation_time, t.Int(r, created, -1));
    AVA_ASSIGN_OR_RETURN(p.deletion_time, t.Int(r, deleted, -1));
    AVA_ASSIGN_OR_RETURN(p.scheduled_time, t.Int(r, scheduled, -1));
    pods.push_back(std::move(p));
  }
  return pods;
}

gpu::Inventory OpenbInventory(const std::vector<OpenbNode>& nodes) {
  gpu::Inventory inv;
  inv.nodes.reserve(nodes.size());
  for (const OpenbNode& n : nodes) {
    gpu::NodeInventory node;
    node.name = n.name;
    node.cpu_milli = n.cpu_milli;
    node.memory_bytes = static_cast<uint64_t>(n.memory_mib) << 20;
    node.sockets.push_back(gpu::CpuSocket{0, n.cpu_milli, node.memory_bytes});
    for (int g = 0; g < n.gpus; ++g) {
      gpu::GpuDevice d;
      d.index = g;
      d.model = n.model;
      d.pcie_switch = g;
      node.gpus.push_back(d);
    }
    node.DerivePaths();
    inv.nodes.push_back(std::move(node));
  }
  return inv;
}

}  // namespace ava::sim
