// NvmlLibrary: NvmlApi over the real NVML, loaded at run time with dlopen so that Ava has no
// link-time dependency on the NVIDIA driver: the same ava-agent binary runs on GPU nodes and on
// machines without a driver (where discovery falls back to a declared inventory file).
//
// The few NVML entry points used are declared in nvml_library.cc from NVML's public documentation
// (no vendored headers): nvmlInit_v2, nvmlShutdown, nvmlErrorString, nvmlDeviceGetCount_v2,
// nvmlDeviceGetHandleByIndex_v2, nvmlDeviceGetName, nvmlDeviceGetUUID, nvmlDeviceGetMemoryInfo,
// nvmlDeviceGetPciInfo_v3, nvmlDeviceGetTopologyCommonAncestor, nvmlDeviceGetNvLinkState,
// nvmlDeviceGetNvLinkRemotePciInfo_v2 and (optional) nvmlDeviceGetNvLinkRemoteDeviceType.
//
// Errors: Open() returns Unavailable when the library cannot be loaded (no NVIDIA driver installed)
// or nvmlInit fails (driver not loaded, no permission), and NotSupported when a required symbol is
// missing (a driver too old); the message says which. Calls map NVML codes as nvml_api.h describes.
// Thread safety: safe for concurrent calls after Open(); the destructor calls nvmlShutdown and
// dlclose and must not race other calls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gpu/nvml_api.h"

namespace ava::gpu {

inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";

class NvmlLibrary final : public NvmlApi {
 public:
  // `path` is what dlopen gets: a soname searched the usual way, or a file path. `sysfs_root` is
  // where PCI devices' numa_node files are read (/sys normally; a directory tree in tests).
  static Result<std::unique_ptr<NvmlLibrary>> Open(const std::string& path = kDefaultNvmlLibrary,
                                                   const std::string& sysfs_root = "/sys");
  ~NvmlLibrary() override;
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  Result<int> DeviceCount() override;
  Result<std::string> Name(int index) override;
  Result<std::string> Uuid(int index) override;
  Result<uint64_t> MemoryTotal(int index) override;
  Result<NvmlPciAddress> Pci(int index) override;
  Result<int> NumaNode(int index) override;
  Result<NvmlTopologyLevel> CommonAncestor(int a, int b) override;
  Result<bool> NvLinkActive(int index, int link) override;
  Result<NvmlPciAddress> NvLinkRemotePci(int index, int link) override;
  Result<NvLinkPeer> NvLinkRemoteType(int index, int link) override;

  struct Functions;  // the resolved entry points (nvml_library.cc)

 private:
  NvmlLibrary(void* handle, std::unique_ptr<Functions> fn, std::string sysfs_root);
  // The NVML handle of device `index`; InvalidArgument when out of range.
  Result<void*> Device(int index);
  // A Status for an NVML return code, naming the call; OK for NVML_SUCCESS.
  Status Check(int rc, const char* call) const;

  void* handle_ = nullptr;
  std::unique_ptr<Functions> fn_;
  const std::string sysfs_root_;
  std::vector<void*> devices_;  // filled once in Open(); read-only afterwards
};

// NVML's "00000000:3B:00.0" as the sysfs directory name "0000:3b:00.0".
std::string SysfsPciName(const NvmlPciAddress& pci);

}  // namespace ava::gpu
