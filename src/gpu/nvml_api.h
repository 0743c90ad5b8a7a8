// NvmlApi: the few questions GPU discovery asks NVIDIA's management library (NVML), as an interface so
// discovery (nvml_inventory.h) runs unchanged against the real library, loaded at run time with
// dlopen (nvml_library.h), or against a fake machine in tests.
//
// Devices are named by their NVML index (0..DeviceCount()-1, PCI bus order, the order nvidia-smi
// shows and CUDA uses with CUDA_DEVICE_ORDER=PCI_BUS_ID).
//
// Errors: every call maps NVML's return code to a Status: NotSupported (the device or driver cannot
// answer that question, e.g. NVLink on a PCIe card), InvalidArgument (an index or link number out of
// range), Unavailable (driver not loaded, GPU lost, timeout), Internal for anything else. The message
// names the NVML function and NVML's own error string.
// Thread safety: implementations are safe for concurrent calls (NVML itself is thread-safe).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace ava::gpu {

// Where a device sits on the PCI bus. Two addresses are the same device when domain, bus and device
// agree (the function is always 0 for GPUs and NVSwitches).
struct NvmlPciAddress {
  uint32_t domain = 0;
  uint32_t bus = 0;
  uint32_t device = 0;
  std::string bus_id;  // as NVML prints it: "00000000:3B:00.0"

  bool SameDevice(const NvmlPciAddress& o) const {
    return domain == o.domain && bus == o.bus && device == o.device;
  }
};

// nvmlGpuTopologyLevel_t: the closest common ancestor of two GPUs in the PCIe tree. The values are
// NVML's own.
enum class NvmlTopologyLevel : int {
  kInternal = 0,     // two GPUs on one board (Tesla K80)
  kSingle = 10,      // one PCIe switch between them
  kMultiple = 20,    // several PCIe switches, no host bridge
  kHostBridge = 30,  // the same PCIe host bridge
  kNode = 40,        // the same NUMA node, several host bridges
  kSystem = 50,      // across NUMA nodes
};

// nvmlIntNvLinkDeviceType_t: what the far end of an NVLink is.
enum class NvLinkPeer : int { kGpu = 0, kIbmNpu = 1, kSwitch = 2, kUnknown = 255 };

// NVML_NVLINK_MAX_LINKS of current drivers (Hopper has 18 links per GPU).
inline constexpr int kNvmlMaxNvLinks = 18;

class NvmlApi {
 public:
  virtual ~NvmlApi() = default;

  virtual Result<int> DeviceCount() = 0;
  // Marketing name, e.g. "Tesla V100-SXM2-32GB", "NVIDIA A100-SXM4-80GB".
  virtual Result<std::string> Name(int index) = 0;
  // "GPU-5b2c…".
  virtual Result<std::string> Uuid(int index) = 0;
  // Total device memory in bytes.
  virtual Result<uint64_t> MemoryTotal(int index) = 0;
  virtual Result<NvmlPciAddress> Pci(int index) = 0;
  // The NUMA node of the device's PCIe root (sysfs numa_node); NotSupported when the platform does
  // not say (single-node machines often report -1).
  virtual Result<int> NumaNode(int index) = 0;
  virtual Result<NvmlTopologyLevel> CommonAncestor(int a, int b) = 0;
  // Whether NVLink `link` (0..kNvmlMaxNvLinks-1) of the device is up. NotSupported for devices
  // without NVLink; InvalidArgument for a link number the device does not have.
  virtual Result<bool> NvLinkActive(int index, int link) = 0;
  // The PCI address of the device at the far end of an active link.
  virtual Result<NvmlPciAddress> NvLinkRemotePci(int index, int link) = 0;
  // The kind of device at the far end; NotSupported on drivers that predate the call (then the
  // caller infers it from the PCI address).
  virtual Result<NvLinkPeer> NvLinkRemoteType(int index, int link) = 0;
};

}  // namespace ava::gpu
