// Inventory: the machines of a GPU pool, as declared in an inventory file (inventory_file.h) or
// reported by node agents. It is the input from which sched::Cluster builds its state.
//
// Errors: Validate() returns InvalidArgument naming the first bad node.
// Thread safety: a plain value.
#pragma once

#include <vector>

#include "common/status.h"
#include "gpu/node_inventory.h"

namespace ava::gpu {

struct Inventory {
  std::vector<NodeInventory> nodes;

  int gpu_count() const;
  // Every node valid, node names unique.
  Status Validate() const;
};

}  // namespace ava::gpu
