// NvmlLibrary: the dlopen path and the C ABI, against a stand-in libnvidia-ml built with the tests
// (fake_libnvml.cc), and what happens on machines without a driver.
#include "gpu/nvml_library.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "common/file_util.h"
#include "gpu/inventory_file.h"
#include "gpu/nvml_inventory.h"
#include "gpu/topo_matrix.h"
#include "test_util.h"

namespace ava {
namespace {

class NvmlLibraryTest : public ::testing::Test {
 protected:
  // A sysfs tree with numa_node files for the fake machine's GPUs (buses 0x10, 0x20, …).
  void MakeSysfs(int gpus, int per_node) {
    for (int i = 0; i < gpus; ++i) {
      gpu::NvmlPciAddress a;
      a.bus = 0x10 + 0x10 * static_cast<uint32_t>(i);
      const std::string dir = sysfs_.path() + "/bus/pci/devices/" + gpu::SysfsPciName(a);
      ASSERT_OK(MakeDirs(dir));
      ASSERT_OK(WriteFileAtomic(dir + "/numa_node", std::to_string(i / per_node) + "\n"));
    }
  }
  Result<std::unique_ptr<gpu::NvmlLibrary>> Open(const char* machine) {
    ::setenv("AVA_FAKE_NVML_MACHINE", machine, 1);
    return gpu::NvmlLibrary::Open(AVA_FAKE_NVML_PATH, sysfs_.path());
  }
  testing::TempDir sysfs_;
};

TEST_F(NvmlLibraryTest, ReadsDevicesThroughTheCAbi) {
  MakeSysfs(8, 4);
  Result<std::unique_ptr<gpu::NvmlLibrary>> lib = Open("dgx1");
  ASSERT_OK(lib);
  ASSERT_EQ(*(*lib)->DeviceCount(), 8);
  EXPECT_EQ(*(*lib)->Name(3), "Tesla P100-SXM2-16GB");
  EXPECT_EQ(*(*lib)->Uuid(3), "GPU-dgx1-3");
  EXPECT_EQ(*(*lib)->MemoryTotal(3), 16ull << 30);
  Result<gpu::NvmlPciAddress> pci = (*lib)->Pci(1);
  ASSERT_OK(pci);
  EXPECT_EQ(pci->bus, 0x20u);
  EXPECT_EQ(pci->bus_id, "00000000:20:00.0");
  EXPECT_EQ(gpu::SysfsPciName(*pci), "0000:20:00.0");
  EXPECT_EQ(*(*lib)->NumaNode(5), 1);
  EXPECT_EQ(*(*lib)->CommonAncestor(0, 1), gpu::NvmlTopologyLevel::kSingle);
  EXPECT_EQ(*(*lib)->CommonAncestor(0, 5), gpu::NvmlTopologyLevel::kSystem);
  EXPECT_TRUE(*(*lib)->NvLinkActive(0, 0));
  EXPECT_FALSE(*(*lib)->NvLinkActive(0, 4));  // a P100 has 4 links
  EXPECT_STATUS((*lib)->NvLinkActive(0, 40), kInvalidArgument);
  EXPECT_STATUS((*lib)->Name(8), kInvalidArgument);
}

TEST_F(NvmlLibraryTest, DiscoveredDgx1EqualsTheExampleInventory) {
  MakeSysfs(8, 4);
  Result<std::unique_ptr<gpu::NvmlLibrary>> lib = Open("dgx1");
  ASSERT_OK(lib);
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(**lib, {"dgx1", 40000, 0, ""});
  ASSERT_OK(node);
  Result<gpu::Inventory> declared =
      gpu::LoadInventoryFile(std::string(AVA_SOURCE_DIR) + "/examples/inventory/dgx1-p100.yaml");
  ASSERT_OK(declared);
  const gpu::NodeInventory& want = declared->nodes[0];
  EXPECT_EQ(gpu::FormatTopoMatrix(*node), gpu::FormatTopoMatrix(want));
  EXPECT_EQ(node->gpu_model(), "P100");
}

TEST_F(NvmlLibraryTest, NvSwitchWithoutRemoteTypeCall) {
  MakeSysfs(8, 4);
  Result<std::unique_ptr<gpu::NvmlLibrary>> lib = Open("hgx-a100");
  ASSERT_OK(lib);
  EXPECT_STATUS((*lib)->NvLinkRemoteType(0, 0), kNotSupported);
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(**lib, {"a100", 0, 0, ""});
  ASSERT_OK(node);
  EXPECT_EQ(gpu::GpuPathName(node->Path(0, 7)), "NV12");
  EXPECT_EQ(node->gpus[6].socket, 1);
}

TEST_F(NvmlLibraryTest, NoNumaFilesMeansSocketsFromTheTopology) {
  // No sysfs tree at all, as in a container without /sys/bus/pci.
  Result<std::unique_ptr<gpu::NvmlLibrary>> lib = Open("t4x2");
  ASSERT_OK(lib);
  EXPECT_STATUS((*lib)->NumaNode(0), kNotSupported);
  EXPECT_STATUS((*lib)->NvLinkActive(0, 0), kNotSupported);
  Result<gpu::NodeInventory> node = gpu::DiscoverNodeWithNvml(**lib, {"t4", 0, 0, ""});
  ASSERT_OK(node);
  EXPECT_EQ(node->gpu_count(), 2);
  EXPECT_NE(node->gpus[0].socket, node->gpus[1].socket);
}

TEST_F(NvmlLibraryTest, DriverNotLoadedIsUnavailable) {
  Result<std::unique_ptr<gpu::NvmlLibrary>> lib = Open("broken");
  ASSERT_STATUS(lib, kUnavailable);
  EXPECT_NE(lib.status().message().find("Driver Not Loaded"), std::string::npos) << lib.status();
}

TEST_F(NvmlLibraryTest, NoLibraryIsUnavailableAndSaysWhy) {
  Result<std::unique_ptr<gpu::NvmlLibrary>> lib = gpu::NvmlLibrary::Open(sysfs_.Sub("libnvidia-ml.so.1"));
  ASSERT_STATUS(lib, kUnavailable);
  EXPECT_NE(lib.status().message().find("NVIDIA driver"), std::string::npos) << lib.status();
}

TEST_F(NvmlLibraryTest, ALibraryWithoutNvmlIsNotSupported) {
  // libc has none of NVML's symbols: a "driver too old" case with a clear message.
  Result<std::unique_ptr<gpu::NvmlLibrary>> lib = gpu::NvmlLibrary::Open("libc.so.6");
  ASSERT_STATUS(lib, kNotSupported);
  EXPECT_NE(lib.status().message().find("nvmlInit_v2"), std::string::npos) << lib.status();
}

}  // namespace
}  // namespace ava
