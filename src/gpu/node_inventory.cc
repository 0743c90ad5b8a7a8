#include "gpu/node_inventory.h"

#include <fmt/format.h>

namespace ava::gpu {

GpuPath NodeInventory::Path(int a, int b) const {
  const int n = gpu_count();
  if (a < 0 || b < 0 || a >= n || b >= n || paths.size() != static_cast<size_t>(n) * n) {
    return GpuPath{PathKind::kSys, 0};
  }
  return paths[static_cast<size_t>(a) * n + b];
}

void NodeInventory::DerivePaths() {
  const int n = gpu_count();
  std::vector<GpuPath> old = std::move(paths);
  const bool had = old.size() == static_cast<size_t>(n) * n;
  paths.assign(static_cast<size_t>(n) * n, GpuPath{});
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      GpuPath& p = paths[static_cast<size_t>(a) * n + b];
      if (a == b) {
        p = {PathKind::kSelf, 0};
      } else if (had && old[static_cast<size_t>(a) * n + b].kind == PathKind::kNvLink) {
        p = old[static_cast<size_t>(a) * n + b];
      } else if (gpus[a].socket != gpus[b].socket) {
        p = {PathKind::kSys, 0};
      } else if (gpus[a].pcie_switch == gpus[b].pcie_switch) {
        p = {PathKind::kPix, 0};
      } else {
        p = {PathKind::kNode, 0};
      }
    }
  }
}

void NodeInventory::SetNvLink(int a, int b, int links) {
  const int n = gpu_count();
  paths[static_cast<size_t>(a) * n + b] = {PathKind::kNvLink, links};
  paths[static_cast<size_t>(b) * n + a] = {PathKind::kNvLink, links};
}

const std::string& NodeInventory::gpu_model() const {
  static const std::string kNone;
  return gpus.empty() ? kNone : gpus.front().model;
}

Status NodeInventory::Validate() const {
  auto fail = [&](std::string what) {
    return Status::InvalidArgument(fmt::format("node '{}': {}", name, what));
  };
  if (name.empty()) return Status::InvalidArgument("a node has no name");
  if (cpu_milli < 0) return fail("cpu must not be negative");
  const int n = gpu_count();
  if (n > kMaxGpusPerNode) {
    return fail(fmt::format("{} GPUs; Ava supports at most {} per node", n, kMaxGpusPerNode));
  }
  for (size_t i = 0; i < sockets.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (sockets[i].id == sockets[j].id)
        return fail(fmt::format("socket {} is listed twice", sockets[i].id));
    }
  }
  for (int i = 0; i < n; ++i) {
    const GpuDevice& g = gpus[i];
    if (g.index != i)
      return fail(fmt::format("GPU indices must be 0..{} in order; found {} at {}", n - 1, g.index, i));
    if (g.model.empty()) return fail(fmt::format("GPU {} has no model", i));
    if (g.model != gpus[0].model) {
      return fail(fmt::format("GPU {} is a {} but GPU 0 is a {}; a node holds one GPU model", i, g.model,
                              gpus[0].model));
    }
    bool known_socket = sockets.empty() && g.socket == 0;
    for (const CpuSocket& s : sockets) known_socket |= s.id == g.socket;
    if (!known_socket)
      return fail(fmt::format("GPU {} is on socket {}, which the node does not have", i, g.socket));
  }
  if (n > 0 && paths.size() != static_cast<size_t>(n) * n) {
    return fail(fmt::format("the GPU path matrix has {} cells; {} GPUs need {}", paths.size(), n, n * n));
  }
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      const GpuPath p = Path(a, b);
      if ((a == b) != (p.kind == PathKind::kSelf)) {
        return fail(fmt::format("path GPU{}→GPU{} is {}; only the diagonal is X", a, b, GpuPathName(p)));
      }
      if (!(p == Path(b, a))) {
        return fail(fmt::format("path GPU{}→GPU{} is {} but GPU{}→GPU{} is {}", a, b, GpuPathName(p), b, a,
                                GpuPathName(Path(b, a))));
      }
    }
  }
  return Status::OK();
}

}  // namespace ava::gpu
