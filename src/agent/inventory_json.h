// The node inventory the agent sends when it registers (docs/api.md: `inventory`), written as ONE node
// of an inventory file (docs/scheduler.md, gpu/inventory_file.h), so avad reads it with the same
// parser as declared inventories: `{"nodes": [inventory]}` is a valid inventory file.
//
// A node whose path matrix follows from its socket/switch tree (plus NVLinks) is written as the tree
// (`sockets` with `pcie_switches`, `nvlink`); a node with paths the tree cannot express (PXB, PHB,
// as NVML reports them) is written as `topology`, the `nvidia-smi topo -m` matrix with NUMA affinity.
// Either way ParseInventory gives back the same GPUs, sockets, switches and paths. GPU UUIDs are not
// part of the inventory file format and are not sent.
//
// Thread safety: a free function.
#pragma once

#include <nlohmann/json.hpp>

#include "gpu/node_inventory.h"

namespace ava::agent {

nlohmann::json NodeInventoryToJson(const gpu::NodeInventory& node);

}  // namespace ava::agent
