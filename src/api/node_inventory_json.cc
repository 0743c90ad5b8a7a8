#include "api/node_inventory_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api/job_spec.h"
#include "gpu/inventory_file.h"

namespace ava::api {

Result<gpu::NodeInventory> NodeInventoryFromJson(std::string_view json_text, std::string_view node_name) {
  AVA_RETURN_IF_ERROR(CheckNesting(json_text));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("the inventory is not JSON: {}", e.what()));
  }
  if (!j.is_object()) return Status::InvalidArgument("the inventory must be a JSON object");
  if (!j.contains("nodes")) {
    if (!j.contains("name")) j["name"] = std::string(node_name);
    j = nlohmann::json{{"nodes", nlohmann::json::array({j})}};
  }
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Result<gpu::Inventory> inv = gpu::ParseInventory(text, fmt::format("node {} inventory", node_name));
  if (!inv.ok()) return inv.status();
  for (gpu::NodeInventory& n : inv->nodes) {
    if (n.name == node_name) return std::move(n);
  }
  if (inv->nodes.size() == 1) {
    gpu::NodeInventory n = std::move(inv->nodes.front());
    n.name = std::string(node_name);
    return n;
  }
  return Status::InvalidArgument(
      fmt::format("the inventory lists {} nodes and none is named '{}'", inv->nodes.size(), node_name));
}

}  // namespace ava::api
