// Cluster: the live state of a GPU pool — for every node, the CPU, memory and milli-GPU still free
// on each GPU — built from a gpu::Inventory. It answers "does this demand fit on that node" in O(1)
// and applies or undoes placements. Policies (policy.h) read it; the Scheduler owns it.
//
// Nodes keep their inventory order (node index i). Each node also has a rank: when two nodes score
// the same, the lower rank wins. Ranks default to the node index; the simulator sets a seeded
// permutation, as the published experiments do.
//
// GPU models are numbered 0..63 in name order; a Demand carries a mask of acceptable ids.
//
// Errors: Build fails (InvalidArgument) on an invalid inventory or more than 64 GPU models;
// Resolve fails (NotFound) on a GPU model no node has; Allocate fails (FailedPrecondition) when the
// placement does not fit the node's current state, and Release when it frees more than was taken;
// both leave the state unchanged on failure.
// Thread safety: none; the owner serialises access (the Scheduler holds its mutex).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "gpu/inventory.h"
#include "sched/demand.h"
#include "sched/placement.h"
#include "sched/request.h"

namespace ava::sched {

inline constexpr int kMaxGpus = gpu::kMaxGpusPerNode;
inline constexpr int kMaxModels = 64;

// The fixed shape of a node's GPUs, shared by identical nodes.
struct NodeTopology {
  int gpu_count = 0;
  std::array<int8_t, kMaxGpus> socket{};
  std::array<int8_t, kMaxGpus> pcie_switch{};
  // Pairwise link quality (topology_score.h): NVLink 100 per link, PIX 50, PXB 40, PHB 30, NODE 20,
  // SYS 10 — the scale of NVIDIA's go-gpuallocator.
  std::array<std::array<int16_t, kMaxGpus>, kMaxGpus> affinity{};
};

class Cluster {
 public:
  struct Node {
    // Live state, read by every placement decision.
    int64_t cpu_left = 0;
    uint64_t memory_left = 0;
    int32_t gpu_left_total = 0;  // milli
    int8_t free_gpus = 0;        // GPUs with all 1000 milli free
    int16_t max_gpu_left = 0;    // the most milli left on any one GPU
    int8_t gpu_count = 0;
    int8_t model = -1;                            // model id; -1 for a node without GPUs
    std::array<int16_t, kMaxGpus> gpu_left{};     // milli left per GPU, by device index
    std::array<int16_t, kMaxGpus> sorted_left{};  // the same values, largest first (state identity)
    // Members running here by shape: [0] fractional, [k] k whole GPUs.
    std::array<uint16_t, kMaxGpus + 1> residents{};
    uint32_t version = 0;  // bumped on every change, for caches keyed by node state

    // Fixed.
    int rank = 0;
    int64_t cpu_capacity = 0;
    uint64_t memory_capacity = 0;
    std::string name;
    std::shared_ptr<const NodeTopology> topology;

    bool idle() const {
      return cpu_left == cpu_capacity && free_gpus == gpu_count && memory_left == memory_capacity;
    }
  };

  static Result<Cluster> Build(const gpu::Inventory& inventory);

  // Model names → mask. NotFound names the unknown model and lists the ones the pool has.
  Result<Demand> Resolve(const Request& request) const;

  // Whether `d` fits on node `n` as it is now.
  bool Fits(int n, const Demand& d) const {
    const Node& node = nodes_[n];
    if (node.cpu_left < d.cpu_milli || node.memory_left < d.memory_bytes) return false;
    if (d.gpus == 0) return true;
    if (!d.AcceptsModel(node.model)) return false;
    if (d.milli < 1000) return node.max_gpu_left >= d.milli;
    return node.free_gpus >= d.gpus;
  }
  // Whether `d` would fit on node `n` if it were empty.
  bool FitsEmpty(int n, const Demand& d) const;

  Status Allocate(const Placement& p);
  Status Release(const Placement& p);

  int node_count() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int n) const { return nodes_[n]; }
  // -1 when there is no such node.
  int FindNode(std::string_view name) const;
  // Node indices by rank, lowest first: the order in which ties are broken.
  const std::vector<int>& order() const { return order_; }
  // rank[i] is node i's rank; must be a permutation of 0..n-1.
  Status SetRanks(const std::vector<int>& rank);

  const std::vector<std::string>& models() const { return models_; }
  // GPUs of each model id in the pool.
  const std::vector<int>& model_gpus() const { return model_gpus_; }
  int ModelId(std::string_view model) const;

  int total_gpus() const { return total_gpus_; }
  int64_t total_gpu_milli() const { return int64_t{total_gpus_} * 1000; }
  int64_t allocated_gpu_milli() const { return allocated_gpu_milli_; }
  int64_t total_cpu_milli() const { return total_cpu_milli_; }
  // The largest node: scales for scores that normalise by "a full machine".
  int64_t max_node_cpu_milli() const { return max_node_cpu_milli_; }
  int max_node_gpus() const { return max_node_gpus_; }

 private:
  void Refresh(Node& node);

  std::vector<Node> nodes_;
  std::vector<int> order_;
  std::unordered_map<std::string, int> by_name_;
  std::vector<std::string> models_;
  std::vector<int> model_gpus_;
  int total_gpus_ = 0;
  int64_t allocated_gpu_milli_ = 0;
  int64_t total_cpu_milli_ = 0;
  int64_t max_node_cpu_milli_ = 0;
  int max_node_gpus_ = 0;
};

}  // namespace ava::sched
