#include "gpu/inventory_file.h"

#include <cstdlib>

#include "gpu/gpu_inventory.h"
#include "gpu/topo_matrix.h"
#include "test_util.h"

namespace ava::gpu {
namespace {

std::string ExampleDir() {
  const char* root = std::getenv("AVA_SOURCE_DIR");
  std::string base =
      root != nullptr ? root : std::string(__FILE__).substr(0, std::string(__FILE__).rfind("/tests/"));
  return base + "/examples/inventory/";
}

Inventory LoadExample(const std::string& name) {
  Result<Inventory> inv = LoadInventoryFile(ExampleDir() + name);
  EXPECT_TRUE(inv.ok()) << inv.status();
  return inv.ok() ? *inv : Inventory{};
}

TEST(InventoryFileTest, Dgx1HasTheHybridCubeMesh) {
  Inventory inv = LoadExample("dgx1-p100.yaml");
  ASSERT_EQ(inv.nodes.size(), 1u);
  const NodeInventory& n = inv.nodes[0];
  EXPECT_EQ(n.cpu_milli, 40000);
  EXPECT_EQ(n.memory_bytes, 512ull << 30);
  ASSERT_EQ(n.gpu_count(), 8);
  EXPECT_EQ(n.gpu_model(), "P100");
  EXPECT_EQ(n.gpus[7].memory_bytes, 16ull << 30);
  // Every GPU has exactly four NVLink peers.
  for (int a = 0; a < 8; ++a) {
    int peers = 0;
    for (int b = 0; b < 8; ++b) peers += n.Path(a, b).kind == PathKind::kNvLink;
    EXPECT_EQ(peers, 4) << "GPU" << a;
  }
  EXPECT_EQ(n.Path(0, 4), (GpuPath{PathKind::kNvLink, 1}));
  EXPECT_EQ(n.Path(0, 5).kind, PathKind::kSys);
  EXPECT_EQ(n.gpus[5].socket, 1);
}

TEST(InventoryFileTest, V100PcieServerIsSplitAcrossSockets) {
  Inventory inv = LoadExample("v100-pcie-2socket.yaml");
  ASSERT_EQ(inv.nodes.size(), 1u);
  const NodeInventory& n = inv.nodes[0];
  EXPECT_EQ(n.Path(0, 1).kind, PathKind::kPix);
  EXPECT_EQ(n.Path(0, 2).kind, PathKind::kNode);
  EXPECT_EQ(n.Path(3, 4).kind, PathKind::kSys);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(n.gpus[i].socket, i < 4 ? 0 : 1);
  ASSERT_EQ(n.sockets.size(), 2u);
  EXPECT_EQ(n.sockets[1].cpu_milli, 24000);
}

TEST(InventoryFileTest, A100ReadsTheTopologyMatrix) {
  Inventory inv = LoadExample("a100-nvswitch.yaml");
  ASSERT_EQ(inv.nodes.size(), 1u);
  const NodeInventory& n = inv.nodes[0];
  ASSERT_EQ(n.gpu_count(), 8);
  EXPECT_EQ(n.gpu_model(), "A100");
  EXPECT_EQ(n.Path(2, 6), (GpuPath{PathKind::kNvLink, 12}));
  EXPECT_EQ(n.gpus[6].socket, 1);
  EXPECT_EQ(n.gpus[1].socket, 0);
}

TEST(InventoryFileTest, T4BoxIsReadFromJson) {
  Inventory inv = LoadExample("t4x2.json");
  ASSERT_EQ(inv.nodes.size(), 1u);
  const NodeInventory& n = inv.nodes[0];
  EXPECT_EQ(n.name, "t4-box");
  ASSERT_EQ(n.gpu_count(), 2);
  EXPECT_EQ(n.gpu_model(), "T4");
  EXPECT_EQ(n.Path(0, 1).kind, PathKind::kNode);
}

TEST(InventoryFileTest, K80BoardsPairTheirGpus) {
  Inventory inv = LoadExample("k80x4.yaml");
  ASSERT_EQ(inv.nodes.size(), 1u);
  const NodeInventory& n = inv.nodes[0];
  ASSERT_EQ(n.gpu_count(), 8);
  EXPECT_EQ(n.Path(2, 3).kind, PathKind::kPix);
  EXPECT_EQ(n.Path(1, 2).kind, PathKind::kNode);
  EXPECT_EQ(n.Path(1, 6).kind, PathKind::kSys);
}

TEST(InventoryFileTest, CountStampsOutNamedNodes) {
  Inventory inv = LoadExample("lab-pool.yaml");
  ASSERT_EQ(inv.nodes.size(), 12u);
  EXPECT_EQ(inv.nodes[0].name, "dgx1-0");
  EXPECT_EQ(inv.nodes[5].name, "v100-3");
  EXPECT_EQ(inv.nodes[11].name, "cpu-1");
  EXPECT_EQ(inv.nodes[11].gpu_count(), 0);
  EXPECT_EQ(inv.gpu_count(), 2 * 8 + 4 * 8 + 4 * 2);
  ASSERT_OK(inv.Validate());
}

TEST(InventoryFileTest, ErrorsNameFileLineAndTheProblem) {
  Result<Inventory> typo = ParseInventory("nodes:\n  - name: a\n    cpus: 4\n", "pool.yaml");
  ASSERT_STATUS(typo, kInvalidArgument);
  EXPECT_NE(typo.status().message().find("pool.yaml:3:5: unknown key 'cpus' (did you mean 'cpu'?)"),
            std::string::npos)
      << typo.status();

  Result<Inventory> twice = ParseInventory(
      "nodes:\n  - name: a\n    gpu: {model: T4}\n    sockets:\n      - pcie_switches: [[0, 1], [1]]\n",
      "p.yaml");
  ASSERT_STATUS(twice, kInvalidArgument);
  EXPECT_NE(twice.status().message().find("p.yaml:5:34: GPU 1 is listed twice"), std::string::npos)
      << twice.status();

  Result<Inventory> cpu = ParseInventory("nodes:\n  - name: a\n    cpu: lots\n", "c.yaml");
  ASSERT_STATUS(cpu, kInvalidArgument);
  EXPECT_NE(cpu.status().message().find("c.yaml:3:10: 'cpu': 'lots' is not a CPU amount"), std::string::npos)
      << cpu.status();

  Result<Inventory> no_model = ParseInventory("nodes:\n  - name: a\n    gpu: {count: 2}\n", "m.yaml");
  ASSERT_STATUS(no_model, kInvalidArgument);

  Result<Inventory> dup = ParseInventory("nodes:\n  - name: a\n  - name: a\n", "d.yaml");
  ASSERT_STATUS(dup, kInvalidArgument);
  EXPECT_NE(dup.status().message().find("node 'a' is declared twice"), std::string::npos) << dup.status();

  Result<Inventory> link = ParseInventory(
      "nodes:\n  - name: a\n    gpu: {model: T4, count: 2}\n    nvlink: [[0, 2, 1]]\n", "l.yaml");
  ASSERT_STATUS(link, kInvalidArgument);
  EXPECT_NE(link.status().message().find("l.yaml:4:14: NVLink [0, 2, 1]"), std::string::npos)
      << link.status();

  EXPECT_STATUS(LoadInventoryFile("/nonexistent/pool.yaml"), kNotFound);
}

TEST(InventoryFileTest, TooManyGpusPerNodeIsRefused) {
  Result<Inventory> big = ParseInventory("nodes:\n  - name: a\n    gpu: {model: X, count: 17}\n", "b.yaml");
  ASSERT_STATUS(big, kInvalidArgument);
  EXPECT_NE(big.status().message().find("at most 16 per node"), std::string::npos) << big.status();
}

TEST(InventoryFileTest, CpuAmounts) {
  EXPECT_EQ(*ParseCpuMilli("48"), 48000);
  EXPECT_EQ(*ParseCpuMilli("0.5"), 500);
  EXPECT_EQ(*ParseCpuMilli("2500m"), 2500);
  EXPECT_STATUS(ParseCpuMilli("-1"), kInvalidArgument);
  EXPECT_STATUS(ParseCpuMilli("4 cores"), kInvalidArgument);
}

TEST(FileGpuInventoryTest, DiscoversTheNamedNode) {
  FileGpuInventory inv(ExampleDir() + "lab-pool.yaml", "v100-2");
  Result<NodeInventory> node = inv.Discover();
  ASSERT_OK(node);
  EXPECT_EQ(node->gpu_model(), "V100");
  FileGpuInventory missing(ExampleDir() + "lab-pool.yaml", "nope");
  EXPECT_STATUS(missing.Discover(), kNotFound);
}

}  // namespace
}  // namespace ava::gpu
