#include "gpu/inventory_file.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "common/file_util.h"
#include "common/yaml_config.h"
#include "gpu/topo_matrix.h"

namespace ava::gpu {
namespace {

Result<int64_t> GetCpu(const YamlDoc& doc, const YAML::Node& map, std::string_view key) {
  AVA_ASSIGN_OR_RETURN(std::string text, GetString(doc, map, key, std::string()));
  if (text.empty()) return int64_t{0};
  Result<int64_t> v = ParseCpuMilli(text);
  if (!v.ok())
    return YamlError(doc, map[std::string(key)], fmt::format("'{}': {}", key, v.status().message()));
  return v;
}

// A GPU index list such as [0, 1], checked against the indices seen so far.
Status ReadGpuList(const YamlDoc& doc, const YAML::Node& list, int socket, int pcie_switch,
                   std::set<int>* seen, std::vector<GpuDevice>* gpus) {
  if (!list.IsSequence()) return YamlError(doc, list, "expected a list of GPU indices such as [0, 1]");
  for (const YAML::Node& item : list) {
    int index = -1;
    try {
      index = item.as<int>();
    } catch (const YAML::Exception&) {
      return YamlError(doc, item, "a GPU index must be an integer");
    }
    if (index < 0 || index >= kMaxGpusPerNode) {
      return YamlError(doc, item, fmt::format("GPU index {} is outside 0..{}", index, kMaxGpusPerNode - 1));
    }
    if (!seen->insert(index).second)
      return YamlError(doc, item, fmt::format("GPU {} is listed twice", index));
    GpuDevice g;
    g.index = index;
    g.socket = socket;
    g.pcie_switch = pcie_switch;
    gpus->push_back(g);
  }
  return Status::OK();
}

Result<NodeInventory> ReadNode(const YamlDoc& doc, const YAML::Node& map) {
  AVA_RETURN_IF_ERROR(
      CheckKeys(doc, map, {"name", "count", "cpu", "memory", "gpu", "sockets", "nvlink", "topology"}));
  NodeInventory node;
  AVA_ASSIGN_OR_RETURN(node.name, GetString(doc, map, "name"));
  AVA_ASSIGN_OR_RETURN(node.cpu_milli, GetCpu(doc, map, "cpu"));
  AVA_ASSIGN_OR_RETURN(node.memory_bytes, GetBytes(doc, map, "memory", uint64_t{0}));

  std::string model;
  uint64_t gpu_memory = 0;
  int64_t declared_count = -1;
  const YAML::Node gpu = map["gpu"];
  if (gpu.IsDefined() && !gpu.IsNull()) {
    AVA_RETURN_IF_ERROR(CheckKeys(doc, gpu, {"model", "memory", "count"}));
    AVA_ASSIGN_OR_RETURN(model, GetString(doc, gpu, "model"));
    AVA_ASSIGN_OR_RETURN(gpu_memory, GetBytes(doc, gpu, "memory", uint64_t{0}));
    AVA_ASSIGN_OR_RETURN(declared_count, GetInt(doc, gpu, "count", int64_t{-1}));
  }

  // GPUs placed on sockets and switches.
  std::vector<GpuDevice> gpus;
  std::set<int> seen;
  int next_switch = 0;
  const YAML::Node sockets = map["sockets"];
  if (sockets.IsDefined() && !sockets.IsNull()) {
    if (!sockets.IsSequence()) return YamlError(doc, sockets, "'sockets' must be a list");
    int id = 0;
    for (const YAML::Node& s : sockets) {
      AVA_RETURN_IF_ERROR(CheckKeys(doc, s, {"cpu", "memory", "gpus", "pcie_switches"}));
      CpuSocket socket;
      socket.id = id;
      AVA_ASSIGN_OR_RETURN(socket.cpu_milli, GetCpu(doc, s, "cpu"));
      AVA_ASSIGN_OR_RETURN(socket.memory_bytes, GetBytes(doc, s, "memory", uint64_t{0}));
      node.sockets.push_back(socket);
      const YAML::Node direct = s["gpus"];
      if (direct.IsDefined()) {
        // GPUs on their own root ports: each one is alone behind its "switch".
        if (!direct.IsSequence())
          return YamlError(doc, direct, "expected a list of GPU indices such as [0, 1]");
        for (const YAML::Node& item : direct) {
          YAML::Node single(YAML::NodeType::Sequence);
          single.push_back(item);
          AVA_RETURN_IF_ERROR(ReadGpuList(doc, single, id, next_switch++, &seen, &gpus));
        }
      }
      const YAML::Node switches = s["pcie_switches"];
      if (switches.IsDefined()) {
        if (!switches.IsSequence())
          return YamlError(doc, switches, "'pcie_switches' must be a list of GPU lists");
        for (const YAML::Node& sw : switches) {
          AVA_RETURN_IF_ERROR(ReadGpuList(doc, sw, id, next_switch++, &seen, &gpus));
        }
      }
      ++id;
    }
  }

  const YAML::Node topology = map["topology"];
  const bool has_topology = topology.IsDefined() && !topology.IsNull();
  if (has_topology && !gpus.empty()) {
    return YamlError(doc, topology, "give either 'topology' or GPUs under 'sockets', not both");
  }
  if (has_topology) {
    if (!topology.IsScalar())
      return YamlError(doc, topology, "'topology' must be the text of `nvidia-smi topo -m`");
    Result<TopoMatrix> m = ParseTopoMatrix(topology.Scalar(), fmt::format("node '{}' topology", node.name));
    if (!m.ok()) return YamlError(doc, topology, m.status().message());
    AVA_RETURN_IF_ERROR(ApplyTopoMatrix(*m, &node));
  } else if (!gpus.empty()) {
    std::sort(gpus.begin(), gpus.end(),
              [](const GpuDevice& a, const GpuDevice& b) { return a.index < b.index; });
    for (size_t i = 0; i < gpus.size(); ++i) {
      if (gpus[i].index != static_cast<int>(i)) {
        return YamlError(doc, sockets, fmt::format("GPU {} is not placed on any socket", i));
      }
    }
    node.gpus = std::move(gpus);
  } else if (declared_count > 0) {
    // No topology given: one socket, every GPU on its own root port.
    if (declared_count > kMaxGpusPerNode) {
      return YamlError(
          doc, gpu["count"],
          fmt::format("{} GPUs; Ava supports at most {} per node", declared_count, kMaxGpusPerNode));
    }
    for (int i = 0; i < declared_count; ++i) {
      GpuDevice g;
      g.index = i;
      g.pcie_switch = i;
      node.gpus.push_back(g);
    }
  }
  if (declared_count >= 0 && declared_count != node.gpu_count()) {
    return YamlError(doc, gpu["count"],
                     fmt::format("gpu.count is {} but the node's layout places {} GPUs", declared_count,
                                 node.gpu_count()));
  }
  if (node.gpu_count() > 0 && model.empty()) {
    return YamlError(doc, map, fmt::format("node '{}' has GPUs but no 'gpu: {{model: …}}'", node.name));
  }
  if (node.gpu_count() == 0 && !model.empty()) {
    return YamlError(doc, gpu, "'gpu' names a model but no GPUs: add gpu.count, sockets or topology");
  }
  for (GpuDevice& g : node.gpus) {
    g.model = model;
    g.memory_bytes = gpu_memory;
  }
  if (!has_topology) node.DerivePaths();

  const YAML::Node nvlink = map["nvlink"];
  if (nvlink.IsDefined() && !nvlink.IsNull()) {
    if (!nvlink.IsSequence()) return YamlError(doc, nvlink, "'nvlink' must be a list of [gpu, gpu, links]");
    for (const YAML::Node& link : nvlink) {
      int a = -1, b = -1, n = -1;
      try {
        if (!link.IsSequence() || link.size() != 3) throw YAML::Exception(link.Mark(), "");
        a = link[0].as<int>();
        b = link[1].as<int>();
        n = link[2].as<int>();
      } catch (const YAML::Exception&) {
        return YamlError(doc, link, "an NVLink entry is [gpu, gpu, links], e.g. [0, 3, 2]");
      }
      if (a < 0 || b < 0 || a >= node.gpu_count() || b >= node.gpu_count() || a == b || n < 1) {
        return YamlError(doc, link,
                         fmt::format("NVLink [{}, {}, {}] needs two different GPUs of 0..{} and links >= 1",
                                     a, b, n, node.gpu_count() - 1));
      }
      node.SetNvLink(a, b, n);
    }
  }
  if (node.sockets.empty() && node.gpu_count() > 0)
    node.sockets.push_back(CpuSocket{0, node.cpu_milli, node.memory_bytes});
  Status valid = node.Validate();
  if (!valid.ok()) return YamlError(doc, map, valid.message());
  return node;
}

}  // namespace

Result<int64_t> ParseCpuMilli(std::string_view text) {
  std::string s(text);
  bool milli = !s.empty() && s.back() == 'm';
  if (milli) s.pop_back();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v) || v < 0) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a CPU amount (cores such as 48 or 0.5, or 48000m)", text));
  }
  return static_cast<int64_t>(std::llround(milli ? v : v * 1000));
}

Result<Inventory> ParseInventory(const std::string& text, std::string source) {
  AVA_ASSIGN_OR_RETURN(YamlDoc doc, ParseYaml(text, std::move(source)));
  Inventory inv;
  try {
    if (!doc.root.IsMap()) return YamlError(doc, doc.root, "an inventory is a mapping with a 'nodes' list");
    AVA_RETURN_IF_ERROR(CheckKeys(doc, doc.root, {"nodes"}));
    const YAML::Node nodes = doc.root["nodes"];
    if (!nodes.IsSequence()) return YamlError(doc, doc.root, "'nodes' must be a list of machines");
    std::set<std::string> names;
    for (const YAML::Node& map : nodes) {
      AVA_ASSIGN_OR_RETURN(NodeInventory proto, ReadNode(doc, map));
      AVA_ASSIGN_OR_RETURN(int64_t count, GetInt(doc, map, "count", int64_t{1}));
      if (count < 1 || count > 100000) return YamlError(doc, map["count"], "'count' must be 1..100000");
      for (int64_t i = 0; i < count; ++i) {
        NodeInventory node = proto;
        const size_t at = proto.name.find("{i}");
        if (at != std::string::npos) {
          node.name = proto.name.substr(0, at) + std::to_string(i) + proto.name.substr(at + 3);
        } else if (count > 1) {
          node.name = fmt::format("{}-{}", proto.name, i);
        }
        if (!names.insert(node.name).second) {
          return YamlError(doc, map, fmt::format("node '{}' is declared twice", node.name));
        }
        inv.nodes.push_back(std::move(node));
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", doc.source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  return inv;
}

Result<Inventory> LoadInventoryFile(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().Annotate(path);
  return ParseInventory(*text, path);
}

}  // namespace ava::gpu
