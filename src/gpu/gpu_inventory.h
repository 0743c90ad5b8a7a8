// GpuInventory: how a node agent learns the machine it runs on. The agent takes a GpuInventory& so
// that NVML discovery (loaded with dlopen, issue 5) and a declared inventory file are
// interchangeable, and tests can declare any machine.
//
// Errors: Discover() returns NotFound when the machine cannot be described (no such node in the
// file), InvalidArgument for a malformed description, Unavailable when the source (e.g. the driver)
// cannot be reached right now.
// Thread safety: implementations must be safe for concurrent Discover() calls.
#pragma once

#include <string>

#include "common/result.h"
#include "gpu/node_inventory.h"

namespace ava::gpu {

class GpuInventory {
 public:
  virtual ~GpuInventory() = default;
  // The current description of this machine.
  virtual Result<NodeInventory> Discover() = 0;
};

// The node called `node_name` in an inventory file, re-read on every call so edits take effect.
class FileGpuInventory final : public GpuInventory {
 public:
  FileGpuInventory(std::string path, std::string node_name)
      : path_(std::move(path)), node_name_(std::move(node_name)) {}
  Result<NodeInventory> Discover() override;

 private:
  const std::string path_;
  const std::string node_name_;
};

}  // namespace ava::gpu
