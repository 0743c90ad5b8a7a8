// The node inventory an agent sends when it registers (docs/api.md, agents): the inventory-file
// format of docs/scheduler.md written as JSON — either a whole file ({"nodes": [...]}) holding the
// agent's node, or the one node's object. It is parsed by gpu::ParseInventory, so agents and
// inventory files share one format and one validator.
//
// Errors: InvalidArgument naming the problem (not JSON, nesting too deep, an invalid node, a file
// that does not hold exactly the agent's node).
// Thread safety: free functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "gpu/node_inventory.h"

namespace ava::api {

// The inventory of node `node_name`; a single node of another name is renamed to it.
Result<gpu::NodeInventory> NodeInventoryFromJson(std::string_view json_text, std::string_view node_name);

}  // namespace ava::api
