#include "gpu/topo_matrix.h"

#include "test_util.h"

namespace ava::gpu {
namespace {

// What `nvidia-smi topo -m` prints on a DGX-1 with V100s (NV1/NV2 mix), with a NIC column.
constexpr char kDgx1V100[] =
    R"(	GPU0	GPU1	GPU2	GPU3	GPU4	GPU5	GPU6	GPU7	mlx5_0	CPU Affinity	NUMA Affinity
GPU0	 X 	NV1	NV1	NV2	NV2	SYS	SYS	SYS	PIX	0-19,40-59	0
GPU1	NV1	 X 	NV2	NV1	SYS	NV2	SYS	SYS	PIX	0-19,40-59	0
GPU2	NV1	NV2	 X 	NV2	SYS	SYS	NV1	SYS	PXB	0-19,40-59	0
GPU3	NV2	NV1	NV2	 X 	SYS	SYS	SYS	NV1	PXB	0-19,40-59	0
GPU4	NV2	SYS	SYS	SYS	 X 	NV1	NV1	NV2	SYS	20-39,60-79	1
GPU5	SYS	NV2	SYS	SYS	NV1	 X 	NV2	NV1	SYS	20-39,60-79	1
GPU6	SYS	SYS	NV1	SYS	NV1	NV2	 X 	NV2	SYS	20-39,60-79	1
GPU7	SYS	SYS	SYS	NV1	NV2	NV1	NV2	 X 	SYS	20-39,60-79	1
mlx5_0	PIX	PIX	PXB	PXB	SYS	SYS	SYS	SYS	 X

Legend:

  X    = Self
  NV#  = Connection traversing a bonded set of # NVLinks
)";

TEST(TopoMatrixTest, ReadsDgx1MatrixWithNicColumnAndNumaAffinity) {
  Result<TopoMatrix> m = ParseTopoMatrix(kDgx1V100, "dgx1.txt");
  ASSERT_OK(m);
  ASSERT_EQ(m->gpu_count, 8);
  EXPECT_EQ(m->At(0, 3), (GpuPath{PathKind::kNvLink, 2}));
  EXPECT_EQ(m->At(0, 1), (GpuPath{PathKind::kNvLink, 1}));
  EXPECT_EQ(m->At(0, 5).kind, PathKind::kSys);
  EXPECT_EQ(m->At(6, 6).kind, PathKind::kSelf);
  EXPECT_EQ(m->numa, (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1}));

  NodeInventory node;
  node.name = "dgx1";
  ASSERT_OK(ApplyTopoMatrix(*m, &node));
  ASSERT_EQ(node.gpu_count(), 8);
  EXPECT_EQ(node.gpus[3].socket, 0);
  EXPECT_EQ(node.gpus[4].socket, 1);
  ASSERT_EQ(node.sockets.size(), 2u);
  EXPECT_EQ(node.Path(5, 1), (GpuPath{PathKind::kNvLink, 2}));
}

TEST(TopoMatrixTest, InfersSocketsAndSwitchesWithoutNumaColumn) {
  // A PCIe box: 0/1 share a switch, 2/3 share another, two sockets.
  constexpr char kText[] = R"(        GPU0    GPU1    GPU2    GPU3
GPU0     X      PIX     SYS     SYS
GPU1    PIX      X      SYS     SYS
GPU2    SYS     SYS      X      PXB
GPU3    SYS     SYS     PXB      X
)";
  Result<TopoMatrix> m = ParseTopoMatrix(kText, "pcie.txt");
  ASSERT_OK(m);
  NodeInventory node;
  node.name = "pcie";
  ASSERT_OK(ApplyTopoMatrix(*m, &node));
  EXPECT_EQ(node.gpus[0].socket, node.gpus[1].socket);
  EXPECT_NE(node.gpus[1].socket, node.gpus[2].socket);
  EXPECT_EQ(node.gpus[0].pcie_switch, node.gpus[1].pcie_switch);
  EXPECT_EQ(node.gpus[2].pcie_switch, node.gpus[3].pcie_switch);
  EXPECT_NE(node.gpus[0].pcie_switch, node.gpus[2].pcie_switch);
}

TEST(TopoMatrixTest, FormattedMatrixReadsBackTheSame) {
  Result<TopoMatrix> m = ParseTopoMatrix(kDgx1V100, "dgx1.txt");
  ASSERT_OK(m);
  NodeInventory node;
  node.name = "dgx1";
  ASSERT_OK(ApplyTopoMatrix(*m, &node));
  Result<TopoMatrix> again = ParseTopoMatrix(FormatTopoMatrix(node), "formatted");
  ASSERT_OK(again);
  EXPECT_EQ(again->cells, m->cells);
  EXPECT_EQ(again->numa, m->numa);
}

TEST(TopoMatrixTest, RejectsBadCellsMissingRowsAndAsymmetry) {
  Result<TopoMatrix> bad = ParseTopoMatrix("\tGPU0\tGPU1\nGPU0\t X \tNVX\nGPU1\tNV1\t X\n", "bad.txt");
  ASSERT_STATUS(bad, kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.txt:2: GPU0→GPU1: 'NVX'"), std::string::npos) << bad.status();

  Result<TopoMatrix> missing = ParseTopoMatrix("\tGPU0\tGPU1\nGPU0\t X \tPIX\n", "m.txt");
  ASSERT_STATUS(missing, kInvalidArgument);
  EXPECT_NE(missing.status().message().find("row GPU1 is missing"), std::string::npos) << missing.status();

  Result<TopoMatrix> asym = ParseTopoMatrix("\tGPU0\tGPU1\nGPU0\t X \tPIX\nGPU1\tSYS\t X\n", "a.txt");
  ASSERT_STATUS(asym, kInvalidArgument);
  EXPECT_NE(asym.status().message().find("GPU0→GPU1 is PIX but GPU1→GPU0 is SYS"), std::string::npos)
      << asym.status();

  EXPECT_STATUS(ParseTopoMatrix("no matrix here\n", "x.txt"), kInvalidArgument);
}

TEST(TopoMatrixTest, ApplyRefusesADifferentGpuCount) {
  Result<TopoMatrix> m = ParseTopoMatrix(kDgx1V100, "dgx1.txt");
  ASSERT_OK(m);
  NodeInventory node;
  node.name = "small";
  node.gpus.resize(2);
  EXPECT_STATUS(ApplyTopoMatrix(*m, &node), kInvalidArgument);
}

TEST(GpuPathTest, NamesRoundTrip) {
  for (const char* name : {"X", "NV1", "NV12", "PIX", "PXB", "PHB", "NODE", "SYS"}) {
    Result<GpuPath> p = ParseGpuPath(name);
    ASSERT_OK(p);
    EXPECT_EQ(GpuPathName(*p), name);
  }
  EXPECT_EQ(ParseGpuPath("SOC")->kind, PathKind::kSys);
  EXPECT_STATUS(ParseGpuPath("NV"), kInvalidArgument);
  EXPECT_STATUS(ParseGpuPath("NV0"), kInvalidArgument);
  EXPECT_STATUS(ParseGpuPath("pix"), kInvalidArgument);
}

}  // namespace
}  // namespace ava::gpu
