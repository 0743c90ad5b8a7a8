#include "gpu/inventory.h"

#include <fmt/format.h>

#include <unordered_set>

namespace ava::gpu {

int Inventory::gpu_count() const {
  int n = 0;
  for (const NodeInventory& node : nodes) n += node.gpu_count();
  return n;
}

Status Inventory::Validate() const {
  std::unordered_set<std::string> names;
  for (const NodeInventory& node : nodes) {
    AVA_RETURN_IF_ERROR(node.Validate());
    if (!names.insert(node.name).second) {
      return Status::InvalidArgument(fmt::format("node '{}' is declared twice", node.name));
    }
  }
  return Status::OK();
}

}  // namespace ava::gpu
