// Small hand-built pools for the scheduler tests.
#pragma once

#include <string>
#include <vector>

#include "gpu/inventory_file.h"
#include "sched/cluster.h"
#include "sched/workload_profile.h"
#include "test_util.h"

namespace ava::sched::testing {

// `count` identical nodes named prefix-0.. with `gpus` GPUs of `model`, one socket, no topology.
inline gpu::Inventory Nodes(const std::string& prefix, int count, int gpus, const std::string& model = "V100",
                            int64_t cpu_milli = 64000, uint64_t memory = 256ull << 30) {
  gpu::Inventory inv;
  for (int i = 0; i < count; ++i) {
    gpu::NodeInventory n;
    n.name = prefix + "-" + std::to_string(i);
    n.cpu_milli = cpu_milli;
    n.memory_bytes = memory;
    for (int g = 0; g < gpus; ++g) {
      gpu::GpuDevice d;
      d.index = g;
      d.model = model;
      d.pcie_switch = g;
      n.gpus.push_back(d);
    }
    if (gpus > 0) n.sockets.push_back(gpu::CpuSocket{0, cpu_milli, memory});
    n.DerivePaths();
    inv.nodes.push_back(n);
  }
  return inv;
}

inline gpu::Inventory Join(gpu::Inventory a, const gpu::Inventory& b) {
  a.nodes.insert(a.nodes.end(), b.nodes.begin(), b.nodes.end());
  return a;
}

inline Cluster MustBuild(const gpu::Inventory& inv) {
  Result<Cluster> c = Cluster::Build(inv);
  EXPECT_TRUE(c.ok()) << c.status();
  return std::move(c).value();
}

inline Cluster MustBuildYaml(const std::string& yaml) {
  Result<gpu::Inventory> inv = gpu::ParseInventory(yaml, "test.yaml");
  EXPECT_TRUE(inv.ok()) << inv.status();
  return MustBuild(*inv);
}

inline Demand MustResolve(const Cluster& c, const Request& r) {
  Result<Demand> d = c.Resolve(r);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.value_or(Demand{});
}

// A profile where each listed shape occurs `count` times.
inline std::shared_ptr<const WorkloadProfile> Profile(
    const Cluster& c, const std::vector<std::pair<WorkloadShape, int>>& shapes) {
  std::vector<WorkloadShape> samples;
  for (const auto& [s, n] : shapes) samples.insert(samples.end(), n, s);
  Result<WorkloadProfile> p = WorkloadProfile::Build(samples, c, 100);
  EXPECT_TRUE(p.ok()) << p.status();
  return std::make_shared<const WorkloadProfile>(std::move(p).value());
}

inline WorkloadShape Shape(int gpus, int milli, int64_t cpu_milli = 0) {
  WorkloadShape s;
  s.gpus = gpus;
  s.milli = gpus > 0 ? milli : 0;
  s.cpu_milli = cpu_milli;
  return s;
}

}  // namespace ava::sched::testing
