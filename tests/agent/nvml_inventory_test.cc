// NVML discovery → inventory model, against FakeNvml machines: what a scheduler would see of a DGX-1,
// an NVSwitch box and PCIe cards, and how driver refusals are handled.
#include "gpu/nvml_inventory.h"

#include <gtest/gtest.h>

#include "agent/fake_nvml.h"
#include "gpu/inventory_file.h"
#include "test_util.h"

namespace ava {
namespace {

using gpu::GpuPath;
using gpu::NvmlTopologyLevel;
using gpu::PathKind;
using testing::FakeNvml;

gpu::NodeInventory ExampleNode(const std::string& file, const std::string& name) {
  Result<gpu::Inventory> inv =
      gpu::LoadInventoryFile(std::string(AVA_SOURCE_DIR) + "/examples/inventory/" + file);
  EXPECT_TRUE(inv.ok()) << inv.status();
  for (const auto& n : inv->nodes) {
    if (n.name == name) return n;
  }
  ADD_FAILURE() << "no node " << name << " in " << file;
  return {};
}

// A DGX-1 as NVML reports it: GPUs 0-3 on NUMA node 0, 4-7 on node 1, pairs behind one PCIe switch,
// the NVLink hybrid cube mesh.
FakeNvml Dgx1() {
  FakeNvml nvml;
  nvml.AddGpus(8, "Tesla P100-SXM2-16GB", 16ull << 30);
  for (int i = 0; i < 8; ++i) nvml.gpus[i].numa = i / 4;
  for (int a = 0; a < 8; ++a) {
    for (int b = a + 1; b < 8; ++b) {
      if (a / 4 != b / 4) continue;  // kSystem by default
      nvml.SetAncestor(a, b, a / 2 == b / 2 ? NvmlTopologyLevel::kSingle : NvmlTopologyLevel::kNode);
    }
  }
  const int mesh[][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}, {4, 5}, {4, 6},
                         {4, 7}, {5, 6}, {5, 7}, {6, 7}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
  for (const auto& p : mesh) nvml.Link(p[0], p[1], 1);
  return nvml;
}

TEST(NvmlInventory, Dgx1MatchesTheDeclaredDgx1) {
  FakeNvml nvml = Dgx1();
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"dgx1", 40000, 512ull << 30, ""});
  ASSERT_OK(node);
  const gpu::NodeInventory expected = ExampleNode("dgx1-p100.yaml", "dgx1");
  ASSERT_EQ(node->gpu_count(), 8);
  EXPECT_EQ(node->gpu_model(), "P100");
  EXPECT_EQ(node->cpu_milli, 40000);
  for (int a = 0; a < 8; ++a) {
    EXPECT_EQ(node->gpus[a].memory_bytes, 16ull << 30);
    EXPECT_EQ(node->gpus[a].uuid, "GPU-fake-" + std::to_string(a));
    EXPECT_EQ(node->gpus[a].socket, a / 4) << "GPU " << a;
    for (int b = 0; b < 8; ++b) {
      EXPECT_EQ(gpu::GpuPathName(node->Path(a, b)), gpu::GpuPathName(expected.Path(a, b))) << a << "→" << b;
    }
  }
  // Pairs behind one switch share it; the quads do not.
  EXPECT_EQ(node->gpus[0].pcie_switch, node->gpus[1].pcie_switch);
  EXPECT_NE(node->gpus[0].pcie_switch, node->gpus[2].pcie_switch);
  EXPECT_OK(node->Validate());
}

TEST(NvmlInventory, NvSwitchLinksJoinEveryPair) {
  FakeNvml nvml;
  nvml.AddGpus(8, "NVIDIA A100-SXM4-40GB", 40ull << 30);
  for (int i = 0; i < 8; ++i) {
    nvml.gpus[i].numa = i / 4;
    for (int l = 0; l < 12; ++l)
      nvml.gpus[i].links.push_back({0xc0 + static_cast<uint32_t>(l / 2), gpu::NvLinkPeer::kSwitch});
  }
  for (int a = 0; a < 8; ++a) {
    for (int b = a + 1; b < 8; ++b) {
      if (a / 4 == b / 4) nvml.SetAncestor(a, b, NvmlTopologyLevel::kNode);
    }
  }
  for (bool remote_type : {true, false}) {
    nvml.remote_type_supported = remote_type;  // old drivers: the far end is inferred from its address
    Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"a100", 0, 0, ""});
    ASSERT_OK(node);
    const gpu::NodeInventory expected = ExampleNode("a100-nvswitch.yaml", "a100");
    EXPECT_EQ(node->gpu_model(), "A100");
    for (int a = 0; a < 8; ++a) {
      EXPECT_EQ(node->gpus[a].socket, expected.gpus[a].socket);
      for (int b = 0; b < 8; ++b) {
        EXPECT_EQ(node->Path(a, b), expected.Path(a, b)) << a << "→" << b << " remote_type=" << remote_type;
      }
    }
  }
}

TEST(NvmlInventory, PcieCardsWithoutNumaOrNvlink) {
  FakeNvml nvml;
  nvml.AddGpus(4, "Tesla T4", 15ull << 30);
  // Two switches under one host bridge: 0-1 and 2-3; no NUMA affinity reported (single socket VM).
  nvml.SetAncestor(0, 1, NvmlTopologyLevel::kSingle);
  nvml.SetAncestor(2, 3, NvmlTopologyLevel::kMultiple);
  for (int a : {0, 1}) {
    for (int b : {2, 3}) nvml.SetAncestor(a, b, NvmlTopologyLevel::kHostBridge);
  }
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"t4", 8000, 0, ""});
  ASSERT_OK(node);
  EXPECT_EQ(node->gpu_model(), "T4");
  EXPECT_EQ(node->Path(0, 1), (GpuPath{PathKind::kPix, 0}));
  EXPECT_EQ(node->Path(2, 3), (GpuPath{PathKind::kPxb, 0}));
  EXPECT_EQ(node->Path(0, 3), (GpuPath{PathKind::kPhb, 0}));
  // No SYS anywhere and no NUMA: one socket.
  for (const auto& g : node->gpus) EXPECT_EQ(g.socket, node->gpus[0].socket);
  EXPECT_EQ(node->gpus[0].pcie_switch, node->gpus[1].pcie_switch);
  EXPECT_NE(node->gpus[1].pcie_switch, node->gpus[2].pcie_switch);
}

TEST(NvmlInventory, PartialNumaIsIgnoredAndSysSplitsSockets) {
  FakeNvml nvml;
  nvml.AddGpus(2, "Tesla T4", 15ull << 30);
  nvml.gpus[0].numa = 0;  // GPU 1 has none: affinity is not trusted for any GPU
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"t4", 0, 0, ""});
  ASSERT_OK(node);
  EXPECT_EQ(node->Path(0, 1).kind, PathKind::kSys);
  EXPECT_NE(node->gpus[0].socket, node->gpus[1].socket);
}

TEST(NvmlInventory, DirectLinkCountsAreBonded) {
  FakeNvml nvml;
  nvml.AddGpus(2, "Tesla V100-SXM2-32GB", 32ull << 30);
  nvml.Link(0, 1, 2);
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"v", 0, 0, ""});
  ASSERT_OK(node);
  EXPECT_EQ(node->Path(0, 1), (GpuPath{PathKind::kNvLink, 2}));
  EXPECT_EQ(gpu::GpuPathName(node->Path(1, 0)), "NV2");
}

TEST(NvmlInventory, MissingUuidIsNotAnError) {
  FakeNvml nvml;
  nvml.AddGpus(1, "Tesla T4", 15ull << 30);
  nvml.gpus[0].uuid.clear();
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"t4", 0, 0, ""});
  ASSERT_OK(node);
  EXPECT_EQ(node->gpus[0].uuid, "");
}

TEST(NvmlInventory, DriverFailureIsUnavailableWithTheReason) {
  FakeNvml nvml;
  nvml.count_error = Status::Unavailable("nvmlDeviceGetCount_v2: Driver Not Loaded (NVML error 9)");
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"x", 0, 0, ""});
  ASSERT_STATUS(node, kUnavailable);
  EXPECT_NE(node.status().message().find("Driver Not Loaded"), std::string::npos) << node.status();
}

TEST(NvmlInventory, NoGpusMakesACpuNode) {
  FakeNvml nvml;
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(nvml, {"cpu", 64000, 256ull << 30, ""});
  ASSERT_OK(node);
  EXPECT_EQ(node->gpu_count(), 0);
  EXPECT_EQ(node->cpu_milli, 64000);
}

TEST(NvmlInventory, MixedModelsNeedAName) {
  FakeNvml nvml;
  nvml.AddGpus(1, "NVIDIA A100-SXM4-40GB", 40ull << 30);
  nvml.AddGpus(1, "NVIDIA A100-SXM4-80GB", 80ull << 30);
  ASSERT_OK(gpu::DiscoverNodeWithNvml(nvml, {"a", 0, 0, ""}));  // both are "A100"
  nvml.gpus[1].name = "Tesla T4";
  Result<gpu::NodeInventory> mixed = gpu::DiscoverNodeWithNvml(nvml, {"a", 0, 0, ""});
  EXPECT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("gpu_model"), std::string::npos) << mixed.status();
  Result<gpu::NodeInventory> named = gpu::DiscoverNodeWithNvml(nvml, {"a", 0, 0, "lab-mix"});
  ASSERT_OK(named);
  EXPECT_EQ(named->gpu_model(), "lab-mix");
}

TEST(NvmlInventory, ModelNamesFromMarketingNames) {
  EXPECT_EQ(gpu::GpuModelFromNvmlName("Tesla V100-SXM2-32GB"), "V100");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("Tesla P100-PCIE-16GB"), "P100");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("NVIDIA A100-SXM4-80GB"), "A100");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("NVIDIA A100 80GB PCIe"), "A100");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("NVIDIA H100 80GB HBM3"), "H100");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("Tesla T4"), "T4");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("Tesla K80"), "K80");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("NVIDIA GeForce RTX 4090"), "RTX-4090");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("NVIDIA RTX A6000"), "RTX-A6000");
  EXPECT_EQ(gpu::GpuModelFromNvmlName("NVIDIA L40S"), "L40S");
}

}  // namespace
}  // namespace ava
