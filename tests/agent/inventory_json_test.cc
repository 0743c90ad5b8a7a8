// The inventory an agent registers with is one node of an inventory file: avad reads it back with
// the same parser and must get the same machine.
#include "agent/inventory_json.h"

#include <gtest/gtest.h>

#include "agent/fake_nvml.h"
#include "gpu/inventory_file.h"
#include "gpu/nvml_inventory.h"
#include "gpu/topo_matrix.h"
#include "test_util.h"

namespace ava {
namespace {

gpu::NodeInventory RoundTrip(const gpu::NodeInventory& node) {
  nlohmann::json file = {{"nodes", nlohmann::json::array({agent::NodeInventoryToJson(node)})}};
  Result<gpu::Inventory> back = gpu::ParseInventory(file.dump(), "registered inventory");
  EXPECT_TRUE(back.ok()) << back.status() << "\n" << file.dump(2);
  if (!back.ok() || back->nodes.size() != 1) return {};
  return back->nodes[0];
}

void ExpectSameMachine(const gpu::NodeInventory& a, const gpu::NodeInventory& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.cpu_milli, b.cpu_milli);
  EXPECT_EQ(a.memory_bytes, b.memory_bytes);
  ASSERT_EQ(a.gpu_count(), b.gpu_count());
  EXPECT_EQ(gpu::FormatTopoMatrix(a), gpu::FormatTopoMatrix(b));
  for (int i = 0; i < a.gpu_count(); ++i) {
    EXPECT_EQ(a.gpus[i].model, b.gpus[i].model);
    EXPECT_EQ(a.gpus[i].memory_bytes, b.gpus[i].memory_bytes);
    for (int j = 0; j < a.gpu_count(); ++j) {
      EXPECT_EQ(a.gpus[i].socket == a.gpus[j].socket, b.gpus[i].socket == b.gpus[j].socket);
      EXPECT_EQ(a.gpus[i].pcie_switch == a.gpus[j].pcie_switch,
                b.gpus[i].pcie_switch == b.gpus[j].pcie_switch);
    }
  }
}

class ExampleRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleRoundTrip, EveryNodeComesBackTheSame) {
  Result<gpu::Inventory> inv =
      gpu::LoadInventoryFile(std::string(AVA_SOURCE_DIR) + "/examples/inventory/" + GetParam());
  ASSERT_OK(inv);
  for (const gpu::NodeInventory& node : inv->nodes) {
    SCOPED_TRACE(node.name);
    ExpectSameMachine(node, RoundTrip(node));
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleRoundTrip,
                         ::testing::Values("dgx1-p100.yaml", "v100-pcie-2socket.yaml", "a100-nvswitch.yaml",
                                           "k80x4.yaml", "lab-pool.yaml", "t4x2.json"));

TEST(InventoryJson, TreeShapedNodesAreSentAsTheTree) {
  Result<gpu::Inventory> inv =
      gpu::LoadInventoryFile(std::string(AVA_SOURCE_DIR) + "/examples/inventory/dgx1-p100.yaml");
  ASSERT_OK(inv);
  nlohmann::json j = agent::NodeInventoryToJson(inv->nodes[0]);
  EXPECT_EQ(j["gpu"]["model"], "P100");
  EXPECT_EQ(j["gpu"]["count"], 8);
  EXPECT_EQ(j["sockets"].size(), 2u);
  EXPECT_EQ(j["sockets"][0]["pcie_switches"], nlohmann::json::parse("[[0,1],[2,3]]"));
  EXPECT_EQ(j["nvlink"].size(), 16u);
  EXPECT_FALSE(j.contains("topology"));
}

TEST(InventoryJson, NvmlPathsTheTreeCannotSayAreSentAsAMatrix) {
  testing::FakeNvml nvml;
  nvml.AddGpus(4, "Tesla T4", 15ull << 30);
  nvml.SetAncestor(0, 1, gpu::NvmlTopologyLevel::kMultiple);  // PXB
  nvml.SetAncestor(2, 3, gpu::NvmlTopologyLevel::kSingle);
  for (int a : {0, 1}) {
    for (int b : {2, 3}) nvml.SetAncestor(a, b, gpu::NvmlTopologyLevel::kHostBridge);  // PHB
  }
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"t4-box", 16000, 64ull << 30, ""});
  ASSERT_OK(node);
  nlohmann::json j = agent::NodeInventoryToJson(*node);
  ASSERT_TRUE(j.contains("topology")) << j.dump(2);
  ExpectSameMachine(*node, RoundTrip(*node));
}

TEST(InventoryJson, CpuOnlyNode) {
  gpu::NodeInventory node;
  node.name = "cpu-1";
  node.cpu_milli = 64000;
  node.memory_bytes = 256ull << 30;
  nlohmann::json j = agent::NodeInventoryToJson(node);
  EXPECT_FALSE(j.contains("gpu"));
  ExpectSameMachine(node, RoundTrip(node));
}

}  // namespace
}  // namespace ava
