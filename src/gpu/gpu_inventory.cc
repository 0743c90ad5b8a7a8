#include "gpu/gpu_inventory.h"

#include <fmt/format.h>

#include "gpu/inventory_file.h"

namespace ava::gpu {

Result<NodeInventory> FileGpuInventory::Discover() {
  AVA_ASSIGN_OR_RETURN(Inventory inv, LoadInventoryFile(path_));
  for (NodeInventory& node : inv.nodes) {
    if (node.name == node_name_) return std::move(node);
  }
  return Status::NotFound(fmt::format("{}: no node named '{}'", path_, node_name_));
}

}  // namespace ava::gpu
