// A stand-in for libnvidia-ml.so.1 with the C entry points ava's NvmlLibrary resolves, describing a
// machine chosen by $AVA_FAKE_NVML_MACHINE at nvmlInit time:
//   dgx1      8 × Tesla P100-SXM2-16GB, two sockets, two GPUs per PCIe switch, NVLink hybrid cube mesh
//   hgx-a100  8 × NVIDIA A100-SXM4-40GB, 12 NVLinks each into six NVSwitches (no remote-type call)
//   t4x2      2 × Tesla T4 on two sockets, no NVLink
//   none      no GPUs
//   broken    nvmlInit fails with NVML_ERROR_DRIVER_NOT_LOADED
// It lets tests exercise the dlopen path, the C ABI and the mapping into the inventory model on a
// machine without an NVIDIA driver. Test-only; never installed.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct PciInfo {
  char busIdLegacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];
};

struct Memory {
  unsigned long long total, free, used;
};

struct Link {
  unsigned int bus;  // far end's bus (domain 0, device 0)
  int type;          // 0 GPU, 2 switch
};

struct Gpu {
  std::string name;
  std::string uuid;
  unsigned long long memory;
  unsigned int bus;
  int numa;
  std::vector<Link> links;
};

struct Machine {
  std::vector<Gpu> gpus;
  std::vector<int> ancestor;  // n*n NVML topology levels
  bool has_remote_type = true;
  bool broken = false;
};

Machine g_machine;  // a fake driver is process-global state, as the real one is

unsigned int GpuBus(int i) { return 0x10 + 0x10 * static_cast<unsigned>(i); }

void BuildDgx1(Machine* m) {
  const int n = 8;
  for (int i = 0; i < n; ++i) {
    m->gpus.push_back(
        {"Tesla P100-SXM2-16GB", "GPU-dgx1-" + std::to_string(i), 16ull << 30, GpuBus(i), i / 4, {}});
  }
  const int pairs[][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}, {4, 5}, {4, 6},
                          {4, 7}, {5, 6}, {5, 7}, {6, 7}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
  for (const auto& p : pairs) {
    m->gpus[p[0]].links.push_back({GpuBus(p[1]), 0});
    m->gpus[p[1]].links.push_back({GpuBus(p[0]), 0});
  }
  m->ancestor.assign(n * n, 0);
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      int level = 50;
      if (a / 4 == b / 4) level = (a / 2 == b / 2) ? 10 : 40;
      m->ancestor[a * n + b] = level;
    }
  }
}

void BuildHgxA100(Machine* m) {
  const int n = 8;
  for (int i = 0; i < n; ++i) {
    Gpu g{"NVIDIA A100-SXM4-40GB", "GPU-a100-" + std::to_string(i), 40ull << 30, GpuBus(i), i / 4, {}};
    for (int l = 0; l < 12; ++l) g.links.push_back({0xc0 + static_cast<unsigned>(l / 2), 2});
    m->gpus.push_back(g);
  }
  m->has_remote_type = false;  // discovery must infer "switch" from the unknown far end
  m->ancestor.assign(n * n, 0);
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) m->ancestor[a * n + b] = (a / 4 == b / 4) ? 40 : 50;
  }
}

void BuildT4x2(Machine* m) {
  m->gpus.push_back({"Tesla T4", "GPU-t4-0", 15ull << 30, GpuBus(0), 0, {}});
  m->gpus.push_back({"Tesla T4", "GPU-t4-1", 15ull << 30, GpuBus(1), 1, {}});
  m->ancestor = {0, 50, 50, 0};
}

Gpu* FromHandle(void* h) { return static_cast<Gpu*>(h); }

void FillPci(unsigned int bus, PciInfo* pci) {
  std::memset(pci, 0, sizeof(*pci));
  pci->domain = 0;
  pci->bus = bus;
  pci->device = 0;
  std::snprintf(pci->busId, sizeof(pci->busId), "%08X:%02X:%02X.0", 0u, bus, 0u);
  std::snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04X:%02X:%02X.0", 0u, bus, 0u);
}

int CopyString(const std::string& s, char* out, unsigned int len) {
  if (s.size() + 1 > len) return 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  std::memcpy(out, s.c_str(), s.size() + 1);
  return 0;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int nvmlInit_v2() {
  g_machine = Machine{};
  const char* which = std::getenv("AVA_FAKE_NVML_MACHINE");
  std::string m = which != nullptr ? which : "dgx1";
  if (m == "dgx1") {
    BuildDgx1(&g_machine);
  } else if (m == "hgx-a100") {
    BuildHgxA100(&g_machine);
  } else if (m == "t4x2") {
    BuildT4x2(&g_machine);
  } else if (m == "broken") {
    return 9;  // NVML_ERROR_DRIVER_NOT_LOADED
  }
  return 0;
}

__attribute__((visibility("default"))) int nvmlShutdown() { return 0; }

__attribute__((visibility("default"))) const char* nvmlErrorString(int rc) {
  switch (rc) {
    case 2:
      return "Invalid Argument";
    case 3:
      return "Not Supported";
    case 9:
      return "Driver Not Loaded";
    default:
      return "Unknown Error";
  }
}

__attribute__((visibility("default"))) int nvmlDeviceGetCount_v2(unsigned int* count) {
  *count = static_cast<unsigned int>(g_machine.gpus.size());
  return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void** dev) {
  if (i >= g_machine.gpus.size()) return 2;
  *dev = &g_machine.gpus[i];
  return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetName(void* dev, char* name, unsigned int len) {
  return CopyString(FromHandle(dev)->name, name, len);
}

__attribute__((visibility("default"))) int nvmlDeviceGetUUID(void* dev, char* uuid, unsigned int len) {
  return CopyString(FromHandle(dev)->uuid, uuid, len);
}

__attribute__((visibility("default"))) int nvmlDeviceGetMemoryInfo(void* dev, Memory* mem) {
  mem->total = FromHandle(dev)->memory;
  mem->used = 1 << 20;
  mem->free = mem->total - mem->used;
  return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetPciInfo_v3(void* dev, PciInfo* pci) {
  FillPci(FromHandle(dev)->bus, pci);
  return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetTopologyCommonAncestor(void* a, void* b, int* level) {
  const size_t n = g_machine.gpus.size();
  const size_t ia = FromHandle(a) - g_machine.gpus.data();
  const size_t ib = FromHandle(b) - g_machine.gpus.data();
  *level = g_machine.ancestor[ia * n + ib];
  return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetNvLinkState(void* dev, unsigned int link,
                                                                    int* active) {
  const Gpu* g = FromHandle(dev);
  if (g->links.empty()) return 3;  // NVML_ERROR_NOT_SUPPORTED: a PCIe card
  if (link >= 18) return 2;
  *active = link < g->links.size() ? 1 : 0;
  return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetNvLinkRemotePciInfo_v2(void* dev, unsigned int link,
                                                                               PciInfo* pci) {
  const Gpu* g = FromHandle(dev);
  if (link >= g->links.size()) return 2;
  FillPci(g->links[link].bus, pci);
  return 0;
}

}  // extern "C"

// Old drivers lack this call; the hgx-a100 machine answers NOT_SUPPORTED, so discovery must infer the
// far end's type from its PCI address (no GPU there: a switch).
extern "C" __attribute__((visibility("default"))) int nvmlDeviceGetNvLinkRemoteDeviceType(void* dev,
                                                                                          unsigned int link,
                                                                                          int* type) {
  if (!g_machine.has_remote_type) return 3;
  const Gpu* g = FromHandle(dev);
  if (link >= g->links.size()) return 2;
  *type = g->links[link].type;
  return 0;
}
