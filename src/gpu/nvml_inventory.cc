#include "gpu/nvml_inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "gpu/topo_matrix.h"

namespace ava::gpu {
namespace {

GpuPath PathFromAncestor(NvmlTopologyLevel level) {
  switch (level) {
    case NvmlTopologyLevel::kInternal:
    case NvmlTopologyLevel::kSingle:
      return {PathKind::kPix, 0};
    case NvmlTopologyLevel::kMultiple:
      return {PathKind::kPxb, 0};
    case NvmlTopologyLevel::kHostBridge:
      return {PathKind::kPhb, 0};
    case NvmlTopologyLevel::kNode:
      return {PathKind::kNode, 0};
    case NvmlTopologyLevel::kSystem:
      return {PathKind::kSys, 0};
  }
  return {PathKind::kSys, 0};
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view BeforeDash(std::string_view w) { return w.substr(0, w.find('-')); }

}  // namespace

std::string GpuModelFromNvmlName(std::string_view name) {
  std::vector<std::string_view> words = Words(name);
  auto brand = [](std::string_view w) {
    return w == "NVIDIA" || w == "Tesla" || w == "GeForce" || w == "Quadro";
  };
  while (!words.empty() && brand(words.front())) words.erase(words.begin());
  if (words.empty()) return std::string(name);
  // Product lines whose number is a separate word: "RTX 4090", "RTX A6000", "TITAN V".
  if ((words[0] == "RTX" || words[0] == "GTX" || words[0] == "TITAN") && words.size() > 1) {
    return fmt::format("{}-{}", words[0], BeforeDash(words[1]));
  }
  return std::string(BeforeDash(words[0]));
}

Result<NodeInventory> DiscoverNodeWithNvml(NvmlApi& nvml, const NvmlDiscoveryOptions& options) {
  Result<int> counted = nvml.DeviceCount();
  if (!counted.ok()) return counted.status().Annotate("NVML cannot list GPUs");
  const int n = *counted;
  if (n > kMaxGpusPerNode) {
    return Status::NotSupported(
        fmt::format("NVML reports {} GPUs; Ava supports at most {} per node", n, kMaxGpusPerNode));
  }
  NodeInventory node;
  node.name = options.node_name;
  node.cpu_milli = options.cpu_milli;
  node.memory_bytes = options.memory_bytes;
  if (n == 0) return node;

  std::vector<NvmlPciAddress> pci(n);
  std::vector<std::string> names(n);
  node.gpus.resize(n);
  for (int i = 0; i < n; ++i) {
    GpuDevice& g = node.gpus[i];
    g.index = i;
    AVA_ASSIGN_OR_RETURN(names[i], nvml.Name(i));
    AVA_ASSIGN_OR_RETURN(g.memory_bytes, nvml.MemoryTotal(i));
    AVA_ASSIGN_OR_RETURN(pci[i], nvml.Pci(i));
    Result<std::string> uuid = nvml.Uuid(i);
    if (uuid.ok()) g.uuid = *uuid;
  }
  const std::string model = options.model.empty() ? GpuModelFromNvmlName(names[0]) : options.model;
  for (int i = 0; i < n; ++i) {
    if (options.model.empty() && GpuModelFromNvmlName(names[i]) != model) {
      return Status::NotSupported(fmt::format(
          "GPU {} is a {} but GPU 0 is a {}: Ava describes a node with one GPU model; set the agent's "
          "gpu_model to name them together",
          i, names[i], names[0]));
    }
    node.gpus[i].model = model;
  }

  TopoMatrix m;
  m.gpu_count = n;
  m.cells.assign(static_cast<size_t>(n) * n, GpuPath{});
  m.numa.assign(n, -1);
  for (int a = 0; a < n; ++a) {
    for (int b = a; b < n; ++b) {
      GpuPath p{PathKind::kSelf, 0};
      if (a != b) {
        Result<NvmlTopologyLevel> level = nvml.CommonAncestor(a, b);
        p = level.ok() ? PathFromAncestor(*level) : GpuPath{PathKind::kSys, 0};
      }
      m.cells[static_cast<size_t>(a) * n + b] = p;
      m.cells[static_cast<size_t>(b) * n + a] = p;
    }
    Result<int> numa = nvml.NumaNode(a);
    if (numa.ok()) m.numa[a] = *numa;
  }
  // NUMA affinity is used only when every GPU has one; otherwise sockets come from the SYS groups.
  if (std::any_of(m.numa.begin(), m.numa.end(), [](int v) { return v < 0; })) m.numa.assign(n, -1);

  // NVLinks: direct GPU↔GPU links counted per pair, links into NVSwitches counted per GPU.
  std::vector<int> direct(static_cast<size_t>(n) * n, 0);
  std::vector<int> to_switch(n, 0);
  for (int a = 0; a < n; ++a) {
    for (int link = 0; link < kNvmlMaxNvLinks; ++link) {
      Result<bool> active = nvml.NvLinkActive(a, link);
      if (!active.ok() && active.status().code() == Code::kNotSupported) break;  // no NVLink on this GPU
      if (!active.ok() || !*active) continue;
      Result<NvmlPciAddress> remote = nvml.NvLinkRemotePci(a, link);
      if (!remote.ok()) continue;
      int peer = -1;
      for (int b = 0; b < n; ++b) {
        if (b != a && pci[b].SameDevice(*remote)) peer = b;
      }
      Result<NvLinkPeer> type = nvml.NvLinkRemoteType(a, link);
      const NvLinkPeer kind = type.ok() ? *type : (peer >= 0 ? NvLinkPeer::kGpu : NvLinkPeer::kSwitch);
      if (kind == NvLinkPeer::kGpu && peer >= 0) {
        ++direct[static_cast<size_t>(a) * n + peer];
      } else if (kind == NvLinkPeer::kSwitch) {
        ++to_switch[a];
      }
    }
  }
  // Sockets and PCIe switches come from the PCIe paths (as NVML reports them, before NVLinks hide
  // them in the matrix); the NVLinks are laid on top afterwards.
  AVA_RETURN_IF_ERROR(ApplyTopoMatrix(m, &node));
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      // Each side counts the same links; take the larger in case one side could not read a link.
      int links = std::max(direct[static_cast<size_t>(a) * n + b], direct[static_cast<size_t>(b) * n + a]);
      if (to_switch[a] > 0 && to_switch[b] > 0) links = std::max(links, std::min(to_switch[a], to_switch[b]));
      if (links > 0) node.SetNvLink(a, b, links);
    }
  }
  if (Status s = node.Validate(); !s.ok()) return s.Annotate("NVML discovery");
  return node;
}

Result<NodeInventory> NvmlGpuInventory::Discover() {
  std::lock_guard<std::mutex> lock(mu_);
  return DiscoverNodeWithNvml(*nvml_, options_);
}

}  // namespace ava::gpu
