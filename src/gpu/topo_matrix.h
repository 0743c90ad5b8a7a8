// TopoMatrix: the GPU part of `nvidia-smi topo -m` output, and how it fills a NodeInventory.
//
//           GPU0  GPU1  GPU2  GPU3  NIC0  CPU Affinity  NUMA Affinity
//   GPU0     X    NV1   NV1   NV2   PIX   0-19          0
//   ...
//
// The parser reads the header to find the GPU columns, takes one row per GPUn, ignores NIC
// columns and rows, the legend and anything after it, and picks up the NUMA affinity column when
// present. Applying a matrix to a node keeps the paths verbatim and infers the tree: sockets from
// the NUMA affinity (else from the groups of GPUs not separated by SYS), PCIe switches from the
// groups joined by PIX or PXB.
//
// Errors: InvalidArgument "source:line: …" for a malformed matrix (unknown cell, missing row,
// asymmetric or non-X diagonal); ApplyTopoMatrix fails when the node already has a different
// number of GPUs.
// Thread safety: free functions over values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "gpu/gpu_path.h"
#include "gpu/node_inventory.h"

namespace ava::gpu {

struct TopoMatrix {
  int gpu_count = 0;
  std::vector<GpuPath> cells;  // cells[a * gpu_count + b]
  std::vector<int> numa;       // NUMA node per GPU; -1 where the column is absent or "N/A"

  GpuPath At(int a, int b) const { return cells[static_cast<size_t>(a) * gpu_count + b]; }
};

// `source` names the text in error messages (a file name, or "node 'x' topology").
Result<TopoMatrix> ParseTopoMatrix(std::string_view text, std::string_view source);

// Sets node->paths to the matrix and infers sockets and switches (see above). Creates the GPUs
// (index only; the caller sets model and memory) when the node has none.
Status ApplyTopoMatrix(const TopoMatrix& matrix, NodeInventory* node);

// The node's matrix in the `nvidia-smi topo -m` layout (tab separated, with NUMA affinity).
std::string FormatTopoMatrix(const NodeInventory& node);

}  // namespace ava::gpu
