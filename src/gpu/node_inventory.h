// NodeInventory: what one machine offers the scheduler — CPU and memory, its CPU sockets, its GPUs
// (model, memory, which socket and PCIe switch each hangs off) and the path between every pair of
// GPUs (NVLink, PCIe switch, host bridge, socket interconnect).
//
// The model is a tree, node → sockets → PCIe switches → GPUs, plus an n×n path matrix. The matrix is
// derived from the tree (same switch → PIX, same socket → NODE, else SYS) and NVLinks are laid on
// top; a matrix read from `nvidia-smi topo -m` (topo_matrix.h) or from NVML replaces it verbatim, so
// whatever discovers a machine (inventory file today, NVML in the node agent later) fills the same
// struct.
//
// Errors: Validate() returns InvalidArgument naming the node and the field.
// Thread safety: a plain value; const methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "gpu/gpu_path.h"

namespace ava::gpu {

// The scheduler keeps per-GPU state in fixed arrays; DGX-2 / HGX-2 boxes have 16 GPUs.
inline constexpr int kMaxGpusPerNode = 16;

struct GpuDevice {
  int index = 0;              // device index on the node (CUDA/NVML order), 0..n-1
  std::string model;          // what requests name: "V100", "A100-80GB", "T4"
  uint64_t memory_bytes = 0;  // device memory
  int socket = 0;             // CpuSocket::id the GPU's PCIe root belongs to
  int pcie_switch = 0;        // node-wide switch id: GPUs with the same id share a PCIe switch
  std::string uuid;           // "GPU-…" when discovered through NVML; empty otherwise
};

struct CpuSocket {
  int id = 0;
  int64_t cpu_milli = 0;      // cores × 1000 on this socket (0 = unknown)
  uint64_t memory_bytes = 0;  // memory local to this socket (0 = unknown)
};

struct NodeInventory {
  std::string name;
  int64_t cpu_milli = 0;      // allocatable CPU, cores × 1000
  uint64_t memory_bytes = 0;  // allocatable memory
  std::vector<CpuSocket> sockets;
  std::vector<GpuDevice> gpus;  // gpus[i].index == i
  // paths[a * gpus.size() + b]; symmetric, kSelf on the diagonal. Empty until DerivePaths() or a
  // topology matrix fills it.
  std::vector<GpuPath> paths;

  int gpu_count() const { return static_cast<int>(gpus.size()); }
  // The path between GPUs a and b (kSys when the matrix is missing or an index is out of range).
  GpuPath Path(int a, int b) const;
  // Sets the PCIe part of the matrix from the socket/switch tree, keeping NVLink entries already set.
  void DerivePaths();
  // Marks a and b as joined by `links` NVLinks (both directions). REQUIRES: paths sized.
  void SetNvLink(int a, int b, int links);
  // The one model of the node's GPUs ("" for a CPU-only node). Validate() rejects mixed models.
  const std::string& gpu_model() const;

  // Checks names, indices, sockets and the matrix: InvalidArgument "node 'x': …" on the first fault.
  Status Validate() const;
};

}  // namespace ava::gpu
