#include "agent/inventory_json.h"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "gpu/topo_matrix.h"

namespace ava::agent {
namespace {

std::string CpuText(int64_t milli) { return fmt::format("{}m", milli); }

// True when the node's paths are exactly what its tree and NVLinks say.
bool TreeDescribesPaths(const gpu::NodeInventory& node) {
  gpu::NodeInventory derived = node;
  derived.paths.clear();
  derived.DerivePaths();
  const int n = node.gpu_count();
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      const gpu::GpuPath p = node.Path(a, b);
      if (p.kind == gpu::PathKind::kNvLink) continue;  // laid on top of the tree by `nvlink`
      if (!(p == derived.Path(a, b))) return false;
    }
  }
  return true;
}

}  // namespace

nlohmann::json NodeInventoryToJson(const gpu::NodeInventory& node) {
  nlohmann::json j = {{"name", node.name}, {"cpu", CpuText(node.cpu_milli)}, {"memory", node.memory_bytes}};
  const int n = node.gpu_count();
  if (n == 0) return j;
  j["gpu"] = {{"model", node.gpu_model()}, {"memory", node.gpus[0].memory_bytes}, {"count", n}};

  if (!TreeDescribesPaths(node)) {
    j["topology"] = gpu::FormatTopoMatrix(node);
    return j;
  }
  // Sockets in id order; each lists its PCIe switches (groups of GPUs) in order of their first GPU.
  std::map<int, const gpu::CpuSocket*> sockets;
  for (const gpu::CpuSocket& s : node.sockets) sockets[s.id] = &s;
  for (const gpu::GpuDevice& g : node.gpus) sockets.emplace(g.socket, nullptr);
  nlohmann::json socket_list = nlohmann::json::array();
  for (const auto& [id, s] : sockets) {
    std::vector<int> switch_order;
    std::map<int, std::vector<int>> switches;
    for (const gpu::GpuDevice& g : node.gpus) {
      if (g.socket != id) continue;
      if (!switches.count(g.pcie_switch)) switch_order.push_back(g.pcie_switch);
      switches[g.pcie_switch].push_back(g.index);
    }
    nlohmann::json groups = nlohmann::json::array();
    for (int sw : switch_order) groups.push_back(switches[sw]);
    nlohmann::json sj = {{"pcie_switches", groups}};
    if (s != nullptr && s->cpu_milli > 0) sj["cpu"] = CpuText(s->cpu_milli);
    if (s != nullptr && s->memory_bytes > 0) sj["memory"] = s->memory_bytes;
    socket_list.push_back(std::move(sj));
  }
  j["sockets"] = std::move(socket_list);
  nlohmann::json links = nlohmann::json::array();
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      const gpu::GpuPath p = node.Path(a, b);
      if (p.kind == gpu::PathKind::kNvLink) links.push_back({a, b, p.nvlinks});
    }
  }
  if (!links.empty()) j["nvlink"] = std::move(links);
  return j;
}

}  // namespace ava::agent
