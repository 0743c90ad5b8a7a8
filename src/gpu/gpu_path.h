// GpuPath: how two GPUs of one machine reach each other, in the vocabulary of `nvidia-smi topo -m`.
// PathKind is ordered best first, so `a < b` means "a is the faster path". NVLink paths also carry
// the number of bonded links (NV1…NV18): more links, more bandwidth.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ava::gpu {

enum class PathKind : uint8_t {
  kSelf = 0,  // X: the same GPU
  kNvLink,    // NV#: direct NVLink (or through an NVSwitch)
  kPix,       // PIX: at most one PCIe switch between them
  kPxb,       // PXB: several PCIe switches, no host bridge
  kPhb,       // PHB: through the PCIe host bridge of one CPU
  kNode,      // NODE: across PCIe host bridges inside one NUMA node
  kSys,       // SYS: across NUMA nodes, over the socket interconnect (QPI/UPI/xGMI)
};

struct GpuPath {
  PathKind kind = PathKind::kSys;
  int nvlinks = 0;  // bonded NVLinks when kind == kNvLink, else 0

  friend bool operator==(const GpuPath&, const GpuPath&) = default;
};

// "X", "NV4", "PIX", "PXB", "PHB", "NODE", "SYS".
std::string GpuPathName(GpuPath path);
// The inverse of GpuPathName; also accepts the legacy "SOC" (= SYS) of old drivers.
// InvalidArgument on anything else, naming the cell.
Result<GpuPath> ParseGpuPath(std::string_view cell);

}  // namespace ava::gpu
