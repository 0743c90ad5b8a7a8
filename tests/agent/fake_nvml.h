// FakeNvml: an NvmlApi over a machine written down in the test, with switches to make the driver
// refuse individual questions (no UUID, no NVLink support, no NUMA affinity, device count failing).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gpu/nvml_api.h"

namespace ava::testing {

struct FakeGpu {
  std::string name = "Tesla V100-SXM2-32GB";
  std::string uuid;
  uint64_t memory = 32ull << 30;
  uint32_t bus = 0;
  int numa = -1;  // -1: the platform reports none
  // Active links: far-end PCI bus and what is there.
  std::vector<std::pair<uint32_t, gpu::NvLinkPeer>> links;
  bool nvlink_supported = true;
};

class FakeNvml final : public gpu::NvmlApi {
 public:
  std::vector<FakeGpu> gpus;
  std::map<std::pair<int, int>, gpu::NvmlTopologyLevel> ancestors;  // missing pairs: kSystem
  bool remote_type_supported = true;
  Status count_error;  // returned by DeviceCount when not OK

  // Adds `n` GPUs on buses 0x10, 0x20, … with UUIDs GPU-fake-i.
  void AddGpus(int n, const std::string& name, uint64_t memory) {
    for (int i = 0; i < n; ++i) {
      FakeGpu g;
      g.name = name;
      g.memory = memory;
      g.bus = Bus(static_cast<int>(gpus.size()));
      g.uuid = "GPU-fake-" + std::to_string(gpus.size());
      gpus.push_back(g);
    }
  }
  static uint32_t Bus(int index) { return 0x10 + 0x10 * static_cast<uint32_t>(index); }
  void SetAncestor(int a, int b, gpu::NvmlTopologyLevel level) {
    ancestors[{a, b}] = level;
    ancestors[{b, a}] = level;
  }
  // `count` links between GPUs a and b, seen from both ends.
  void Link(int a, int b, int count) {
    for (int i = 0; i < count; ++i) {
      gpus[a].links.push_back({Bus(b), gpu::NvLinkPeer::kGpu});
      gpus[b].links.push_back({Bus(a), gpu::NvLinkPeer::kGpu});
    }
  }

  Result<int> DeviceCount() override {
    if (!count_error.ok()) return count_error;
    return static_cast<int>(gpus.size());
  }
  Result<std::string> Name(int i) override { return gpus.at(i).name; }
  Result<std::string> Uuid(int i) override {
    if (gpus.at(i).uuid.empty()) return Status::NotSupported("nvmlDeviceGetUUID: Not Supported");
    return gpus[i].uuid;
  }
  Result<uint64_t> MemoryTotal(int i) override { return gpus.at(i).memory; }
  Result<gpu::NvmlPciAddress> Pci(int i) override { return Address(gpus.at(i).bus); }
  Result<int> NumaNode(int i) override {
    if (gpus.at(i).numa < 0) return Status::NotSupported("no NUMA affinity");
    return gpus[i].numa;
  }
  Result<gpu::NvmlTopologyLevel> CommonAncestor(int a, int b) override {
    auto it = ancestors.find({a, b});
    return it == ancestors.end() ? gpu::NvmlTopologyLevel::kSystem : it->second;
  }
  Result<bool> NvLinkActive(int i, int link) override {
    if (!gpus.at(i).nvlink_supported || gpus[i].links.empty()) return Status::NotSupported("no NVLink");
    if (link >= gpu::kNvmlMaxNvLinks) return Status::InvalidArgument("link out of range");
    return link < static_cast<int>(gpus[i].links.size());
  }
  Result<gpu::NvmlPciAddress> NvLinkRemotePci(int i, int link) override {
    return Address(gpus.at(i).links.at(link).first);
  }
  Result<gpu::NvLinkPeer> NvLinkRemoteType(int i, int link) override {
    if (!remote_type_supported) return Status::NotSupported("old driver");
    return gpus.at(i).links.at(link).second;
  }

 private:
  static gpu::NvmlPciAddress Address(uint32_t bus) {
    gpu::NvmlPciAddress a;
    a.bus = bus;
    a.bus_id = "00000000:" + std::to_string(bus) + ":00.0";
    return a;
  }
};

}  // namespace ava::testing
