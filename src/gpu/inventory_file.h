// Inventory files: the machines of a pool written down in YAML (or JSON, which YAML reads as its
// flow syntax), for machines Ava cannot probe itself and for simulations. The format is documented
// with examples in docs/scheduler.md and examples/inventory/:
//
//   nodes:
//     - name: v100-{i}          # "{i}" becomes 0..count-1
//       count: 4
//       cpu: 48                 # cores ("48", "0.5", or milli-cores "48000m")
//       memory: 384GiB
//       gpu: {model: V100, memory: 32GiB}
//       sockets:
//         - cpu: 24
//           pcie_switches: [[0, 1], [2, 3]]   # GPUs that share a PCIe switch
//         - cpu: 24
//           pcie_switches: [[4, 5], [6, 7]]
//       nvlink: [[0, 1, 2]]                    # GPU a, GPU b, bonded links
//       topology: |                            # or: the output of `nvidia-smi topo -m`
//         ...
//
// Errors: NotFound when the file cannot be opened; InvalidArgument "file:line:col: …" naming the
// offending key or value for everything else (unknown keys get a "did you mean" hint).
// Thread safety: free functions.
#pragma once

#include <string>

#include "common/result.h"
#include "gpu/inventory.h"

namespace ava::gpu {

Result<Inventory> LoadInventoryFile(const std::string& path);
// `source` names the text in error messages.
Result<Inventory> ParseInventory(const std::string& text, std::string source);

// "48" → 48000, "0.5" → 500, "48000m" → 48000. InvalidArgument otherwise.
Result<int64_t> ParseCpuMilli(std::string_view text);

}  // namespace ava::gpu
