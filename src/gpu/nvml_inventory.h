// NVML discovery: describes this machine as a NodeInventory from what NVML reports — GPU count,
// model, memory, UUID, PCI bus id, the NUMA node of each GPU, the PCIe path between every pair
// (nvmlDeviceGetTopologyCommonAncestor) and NVLinks (per-link state and far-end PCI address).
//
// Mapping into the inventory model (node_inventory.h), the same one `nvidia-smi topo -m` uses:
//   common ancestor INTERNAL or SINGLE → PIX, MULTIPLE → PXB, HOSTBRIDGE → PHB, NODE → NODE,
//   SYSTEM → SYS; k active links between two GPUs → NVk. GPUs whose links end at NVSwitches reach
//   each other through the fabric: NVm with m the smaller of their switch-link counts (an HGX A100
//   shows NV12 everywhere). Sockets are the GPUs' NUMA nodes (or, when the platform reports none,
//   groups of GPUs not separated by SYS) and PCIe switches the groups joined by PIX/PXB
//   (topo_matrix.h, ApplyTopoMatrix).
// The model is the short name requests use, derived from NVML's marketing name by
// GpuModelFromNvmlName unless the caller sets one (e.g. "A100-80GB" to tell memory sizes apart).
//
// Errors: Unavailable when NVML cannot list devices; a node with more GPUs than kMaxGpusPerNode or a
// GPU without name or memory fails with that reason. Questions a device cannot answer (UUID, NUMA,
// NVLink on PCIe cards) are not errors: the field stays empty or the path stays PCIe.
// Thread safety: DiscoverNodeWithNvml is as safe as the NvmlApi it is given; NvmlGpuInventory
// serialises its own calls.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/thread_annotations.h"
#include "gpu/gpu_inventory.h"
#include "gpu/nvml_api.h"

namespace ava::gpu {

struct NvmlDiscoveryOptions {
  std::string node_name;
  int64_t cpu_milli = 0;      // the node's allocatable CPU (NVML does not know it)
  uint64_t memory_bytes = 0;  // the node's allocatable memory
  std::string model;          // "" = GpuModelFromNvmlName of GPU 0
};

Result<NodeInventory> DiscoverNodeWithNvml(NvmlApi& nvml, const NvmlDiscoveryOptions& options);

// "Tesla V100-SXM2-32GB" → "V100", "NVIDIA A100-SXM4-80GB" → "A100", "NVIDIA H100 80GB HBM3" →
// "H100", "Tesla T4" → "T4", "NVIDIA GeForce RTX 4090" → "RTX-4090", "NVIDIA RTX A6000" →
// "RTX-A6000": brand words dropped, form factor and memory suffixes cut.
std::string GpuModelFromNvmlName(std::string_view name);

// A GpuInventory backed by NVML: every Discover() asks the driver again.
class NvmlGpuInventory final : public GpuInventory {
 public:
  NvmlGpuInventory(std::unique_ptr<NvmlApi> nvml, NvmlDiscoveryOptions options)
      : nvml_(std::move(nvml)), options_(std::move(options)) {}
  Result<NodeInventory> Discover() override;

 private:
  std::mutex mu_;
  std::unique_ptr<NvmlApi> nvml_ GUARDED_BY(mu_);
  const NvmlDiscoveryOptions options_;
};

}  // namespace ava::gpu
