#include "gpu/nvml_library.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "common/file_util.h"

namespace ava::gpu {

// The C ABI of the NVML calls Ava makes, written from NVML's API reference. Only the types these
// calls take are declared; their layouts are part of NVML's stable ABI (versioned entry points such
// as _v2/_v3 exist precisely so that these never change).
namespace {

using nvmlReturn_t = int;
using nvmlDevice_t = void*;  // struct nvmlDevice_st*, opaque

constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr nvmlReturn_t kNvmlErrorUninitialized = 1;
constexpr nvmlReturn_t kNvmlErrorInvalidArgument = 2;
constexpr nvmlReturn_t kNvmlErrorNotSupported = 3;
constexpr nvmlReturn_t kNvmlErrorNoPermission = 4;
constexpr nvmlReturn_t kNvmlErrorNotFound = 6;
constexpr nvmlReturn_t kNvmlErrorDriverNotLoaded = 9;
constexpr nvmlReturn_t kNvmlErrorTimeout = 10;
constexpr nvmlReturn_t kNvmlErrorGpuIsLost = 15;

constexpr unsigned kNameBufferSize = 96;  // NVML_DEVICE_NAME_V2_BUFFER_SIZE
constexpr unsigned kUuidBufferSize = 96;  // NVML_DEVICE_UUID_V2_BUFFER_SIZE

struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

struct nvmlPciInfo_t {
  char busIdLegacy[16];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE
};

NvmlPciAddress ToAddress(const nvmlPciInfo_t& pci) {
  NvmlPciAddress a;
  a.domain = pci.domain;
  a.bus = pci.bus;
  a.device = pci.device;
  a.bus_id.assign(pci.busId, strnlen(pci.busId, sizeof(pci.busId)));
  return a;
}

}  // namespace

struct NvmlLibrary::Functions {
  nvmlReturn_t (*init)();
  nvmlReturn_t (*shutdown)();
  const char* (*error_string)(nvmlReturn_t);
  nvmlReturn_t (*get_count)(unsigned int*);
  nvmlReturn_t (*get_handle_by_index)(unsigned int, nvmlDevice_t*);
  nvmlReturn_t (*get_name)(nvmlDevice_t, char*, unsigned int);
  nvmlReturn_t (*get_uuid)(nvmlDevice_t, char*, unsigned int);
  nvmlReturn_t (*get_memory_info)(nvmlDevice_t, nvmlMemory_t*);
  nvmlReturn_t (*get_pci_info)(nvmlDevice_t, nvmlPciInfo_t*);
  nvmlReturn_t (*get_common_ancestor)(nvmlDevice_t, nvmlDevice_t, int*);
  nvmlReturn_t (*get_nvlink_state)(nvmlDevice_t, unsigned int, int*);
  nvmlReturn_t (*get_nvlink_remote_pci)(nvmlDevice_t, unsigned int, nvmlPciInfo_t*);
  nvmlReturn_t (*get_nvlink_remote_type)(nvmlDevice_t, unsigned int, int*);  // may be null
};

namespace {

// Resolves `name` into `*slot`; false (with `*missing` set) when the library lacks it.
template <typename F>
bool Resolve(void* handle, const char* name, F* slot, std::string* missing) {
  void* sym = ::dlsym(handle, name);
  if (sym == nullptr) {
    if (missing->empty()) *missing = name;
    return false;
  }
  *slot = reinterpret_cast<F>(sym);
  return true;
}

}  // namespace

Result<std::unique_ptr<NvmlLibrary>> NvmlLibrary::Open(const std::string& path,
                                                       const std::string& sysfs_root) {
  ::dlerror();
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Status::Unavailable(fmt::format("cannot load NVML ({}): {}; is the NVIDIA driver installed?", path,
                                           why != nullptr ? why : "unknown dlopen error"));
  }
  auto fn = std::make_unique<Functions>();
  std::string missing;
  Resolve(handle, "nvmlInit_v2", &fn->init, &missing);
  Resolve(handle, "nvmlShutdown", &fn->shutdown, &missing);
  Resolve(handle, "nvmlErrorString", &fn->error_string, &missing);
  Resolve(handle, "nvmlDeviceGetCount_v2", &fn->get_count, &missing);
  Resolve(handle, "nvmlDeviceGetHandleByIndex_v2", &fn->get_handle_by_index, &missing);
  Resolve(handle, "nvmlDeviceGetName", &fn->get_name, &missing);
  Resolve(handle, "nvmlDeviceGetUUID", &fn->get_uuid, &missing);
  Resolve(handle, "nvmlDeviceGetMemoryInfo", &fn->get_memory_info, &missing);
  Resolve(handle, "nvmlDeviceGetPciInfo_v3", &fn->get_pci_info, &missing);
  Resolve(handle, "nvmlDeviceGetTopologyCommonAncestor", &fn->get_common_ancestor, &missing);
  Resolve(handle, "nvmlDeviceGetNvLinkState", &fn->get_nvlink_state, &missing);
  Resolve(handle, "nvmlDeviceGetNvLinkRemotePciInfo_v2", &fn->get_nvlink_remote_pci, &missing);
  if (!missing.empty()) {
    ::dlclose(handle);
    return Status::NotSupported(
        fmt::format("{} has no {}: the NVIDIA driver is too old for Ava's GPU discovery", path, missing));
  }
  std::string optional;
  if (!Resolve(handle, "nvmlDeviceGetNvLinkRemoteDeviceType", &fn->get_nvlink_remote_type, &optional)) {
    fn->get_nvlink_remote_type = nullptr;
  }

  std::unique_ptr<NvmlLibrary> lib(new NvmlLibrary(handle, std::move(fn), sysfs_root));
  if (Status s = lib->Check(lib->fn_->init(), "nvmlInit_v2"); !s.ok()) {
    lib->fn_->shutdown = nullptr;  // init failed: nothing to shut down
    return s;
  }
  unsigned int count = 0;
  AVA_RETURN_IF_ERROR(lib->Check(lib->fn_->get_count(&count), "nvmlDeviceGetCount_v2"));
  for (unsigned int i = 0; i < count; ++i) {
    nvmlDevice_t dev = nullptr;
    AVA_RETURN_IF_ERROR(lib->Check(lib->fn_->get_handle_by_index(i, &dev),
                                   fmt::format("nvmlDeviceGetHandleByIndex_v2({})", i).c_str()));
    lib->devices_.push_back(dev);
  }
  return lib;
}

NvmlLibrary::NvmlLibrary(void* handle, std::unique_ptr<Functions> fn, std::string sysfs_root)
    : handle_(handle), fn_(std::move(fn)), sysfs_root_(std::move(sysfs_root)) {}

NvmlLibrary::~NvmlLibrary() {
  if (fn_ && fn_->shutdown != nullptr) fn_->shutdown();
  if (handle_ != nullptr) ::dlclose(handle_);
}

Status NvmlLibrary::Check(int rc, const char* call) const {
  if (rc == kNvmlSuccess) return Status::OK();
  const char* text = fn_->error_string != nullptr ? fn_->error_string(rc) : nullptr;
  std::string msg = fmt::format("{}: {} (NVML error {})", call, text != nullptr ? text : "unknown error", rc);
  switch (rc) {
    case kNvmlErrorInvalidArgument:
      return Status::InvalidArgument(std::move(msg));
    case kNvmlErrorNotSupported:
      return Status::NotSupported(std::move(msg));
    case kNvmlErrorNoPermission:
      return Status::PermissionDenied(std::move(msg));
    case kNvmlErrorNotFound:
      return Status::NotFound(std::move(msg));
    case kNvmlErrorUninitialized:
    case kNvmlErrorDriverNotLoaded:
    case kNvmlErrorTimeout:
    case kNvmlErrorGpuIsLost:
      return Status::Unavailable(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

Result<void*> NvmlLibrary::Device(int index) {
  if (index < 0 || index >= static_cast<int>(devices_.size())) {
    return Status::InvalidArgument(
        fmt::format("GPU {} does not exist; NVML reports {}", index, devices_.size()));
  }
  return devices_[static_cast<size_t>(index)];
}

Result<int> NvmlLibrary::DeviceCount() { return static_cast<int>(devices_.size()); }

Result<std::string> NvmlLibrary::Name(int index) {
  AVA_ASSIGN_OR_RETURN(void* dev, Device(index));
  char buf[kNameBufferSize] = {};
  AVA_RETURN_IF_ERROR(Check(fn_->get_name(dev, buf, sizeof(buf)), "nvmlDeviceGetName"));
  return std::string(buf, strnlen(buf, sizeof(buf)));
}

Result<std::string> NvmlLibrary::Uuid(int index) {
  AVA_ASSIGN_OR_RETURN(void* dev, Device(index));
  char buf[kUuidBufferSize] = {};
  AVA_RETURN_IF_ERROR(Check(fn_->get_uuid(dev, buf, sizeof(buf)), "nvmlDeviceGetUUID"));
  return std::string(buf, strnlen(buf, sizeof(buf)));
}

Result<uint64_t> NvmlLibrary::MemoryTotal(int index) {
  AVA_ASSIGN_OR_RETURN(void* dev, Device(index));
  nvmlMemory_t mem{};
  AVA_RETURN_IF_ERROR(Check(fn_->get_memory_info(dev, &mem), "nvmlDeviceGetMemoryInfo"));
  return static_cast<uint64_t>(mem.total);
}

Result<NvmlPciAddress> NvmlLibrary::Pci(int index) {
  AVA_ASSIGN_OR_RETURN(void* dev, Device(index));
  nvmlPciInfo_t pci{};
  AVA_RETURN_IF_ERROR(Check(fn_->get_pci_info(dev, &pci), "nvmlDeviceGetPciInfo_v3"));
  return ToAddress(pci);
}

std::string SysfsPciName(const NvmlPciAddress& pci) {
  // sysfs uses a 16-bit domain in lower case; NVML's busId carries 32 bits.
  return fmt::format("{:04x}:{:02x}:{:02x}.0", pci.domain & 0xffff, pci.bus, pci.device);
}

Result<int> NvmlLibrary::NumaNode(int index) {
  AVA_ASSIGN_OR_RETURN(NvmlPciAddress pci, Pci(index));
  const std::string path = fmt::format("{}/bus/pci/devices/{}/numa_node", sysfs_root_, SysfsPciName(pci));
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return Status::NotSupported(fmt::format("{}: {}", path, text.status().message()));
  char* end = nullptr;
  const long v = std::strtol(text->c_str(), &end, 10);
  if (end == text->c_str()) return Status::NotSupported(fmt::format("{}: not a number", path));
  if (v < 0)
    return Status::NotSupported(fmt::format("{} says {}: the platform has no NUMA affinity", path, v));
  return static_cast<int>(v);
}

Result<NvmlTopologyLevel> NvmlLibrary::CommonAncestor(int a, int b) {
  AVA_ASSIGN_OR_RETURN(void* da, Device(a));
  AVA_ASSIGN_OR_RETURN(void* db, Device(b));
  int level = 0;
  AVA_RETURN_IF_ERROR(Check(fn_->get_common_ancestor(da, db, &level), "nvmlDeviceGetTopologyCommonAncestor"));
  switch (level) {
    case 0:
    case 10:
    case 20:
    case 30:
    case 40:
    case 50:
      return static_cast<NvmlTopologyLevel>(level);
    default:
      return Status::Internal(fmt::format("nvmlDeviceGetTopologyCommonAncestor: unknown level {}", level));
  }
}

Result<bool> NvmlLibrary::NvLinkActive(int index, int link) {
  AVA_ASSIGN_OR_RETURN(void* dev, Device(index));
  int state = 0;
  AVA_RETURN_IF_ERROR(
      Check(fn_->get_nvlink_state(dev, static_cast<unsigned>(link), &state), "nvmlDeviceGetNvLinkState"));
  return state != 0;
}

Result<NvmlPciAddress> NvmlLibrary::NvLinkRemotePci(int index, int link) {
  AVA_ASSIGN_OR_RETURN(void* dev, Device(index));
  nvmlPciInfo_t pci{};
  AVA_RETURN_IF_ERROR(Check(fn_->get_nvlink_remote_pci(dev, static_cast<unsigned>(link), &pci),
                            "nvmlDeviceGetNvLinkRemotePciInfo_v2"));
  return ToAddress(pci);
}

Result<NvLinkPeer> NvmlLibrary::NvLinkRemoteType(int index, int link) {
  if (fn_->get_nvlink_remote_type == nullptr) {
    return Status::NotSupported("nvmlDeviceGetNvLinkRemoteDeviceType is not in this driver");
  }
  AVA_ASSIGN_OR_RETURN(void* dev, Device(index));
  int type = 255;
  AVA_RETURN_IF_ERROR(Check(fn_->get_nvlink_remote_type(dev, static_cast<unsigned>(link), &type),
                            "nvmlDeviceGetNvLinkRemoteDeviceType"));
  switch (type) {
    case 0:
      return NvLinkPeer::kGpu;
    case 1:
      return NvLinkPeer::kIbmNpu;
    case 2:
      return NvLinkPeer::kSwitch;
    default:
      return NvLinkPeer::kUnknown;
  }
}

}  // namespace ava::gpu
