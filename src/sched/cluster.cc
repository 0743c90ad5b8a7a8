#include "sched/cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>

#include "sched/topology_score.h"

namespace ava::sched {
namespace {

int Shape(const Placement& p) { return p.gpu_milli < 1000 ? 0 : p.gpu_count(); }

NodeTopology MakeTopology(const gpu::NodeInventory& inv) {
  NodeTopology t;
  t.gpu_count = inv.gpu_count();
  for (int a = 0; a < t.gpu_count; ++a) {
    t.socket[a] = static_cast<int8_t>(inv.gpus[a].socket);
    t.pcie_switch[a] = static_cast<int8_t>(inv.gpus[a].pcie_switch);
    for (int b = 0; b < t.gpu_count; ++b)
      t.affinity[a][b] = static_cast<int16_t>(PairAffinity(inv.Path(a, b)));
  }
  return t;
}

std::string TopologyKey(const NodeTopology& t) {
  std::string key = fmt::format("{}:", t.gpu_count);
  for (int a = 0; a < t.gpu_count; ++a) {
    key += fmt::format("{},{};", t.socket[a], t.pcie_switch[a]);
    for (int b = 0; b < t.gpu_count; ++b) key += fmt::format("{} ", t.affinity[a][b]);
  }
  return key;
}

}  // namespace

Result<Cluster> Cluster::Build(const gpu::Inventory& inventory) {
  AVA_RETURN_IF_ERROR(inventory.Validate());
  Cluster c;
  std::map<std::string, int> model_ids;
  for (const gpu::NodeInventory& n : inventory.nodes) {
    if (n.gpu_count() > 0) model_ids.emplace(n.gpu_model(), 0);
  }
  if (model_ids.size() > static_cast<size_t>(kMaxModels)) {
    return Status::InvalidArgument(
        fmt::format("the pool has {} GPU models; Ava supports at most {}", model_ids.size(), kMaxModels));
  }
  for (auto& [name, id] : model_ids) {
    id = static_cast<int>(c.models_.size());
    c.models_.push_back(name);
  }
  c.model_gpus_.assign(c.models_.size(), 0);
  std::map<std::string, std::shared_ptr<const NodeTopology>> shapes;
  c.nodes_.reserve(inventory.nodes.size());
  for (const gpu::NodeInventory& inv : inventory.nodes) {
    Node node;
    node.name = inv.name;
    node.rank = static_cast<int>(c.nodes_.size());
    node.cpu_capacity = node.cpu_left = inv.cpu_milli;
    node.memory_capacity = node.memory_left = inv.memory_bytes;
    node.gpu_count = static_cast<int8_t>(inv.gpu_count());
    node.model = inv.gpu_count() > 0 ? static_cast<int8_t>(model_ids.at(inv.gpu_model())) : -1;
    for (int g = 0; g < inv.gpu_count(); ++g) node.gpu_left[g] = 1000;
    NodeTopology topo = MakeTopology(inv);
    auto [it, inserted] = shapes.emplace(TopologyKey(topo), nullptr);
    if (inserted) it->second = std::make_shared<const NodeTopology>(topo);
    node.topology = it->second;
    c.Refresh(node);
    node.version = 0;
    c.by_name_[node.name] = static_cast<int>(c.nodes_.size());
    c.total_gpus_ += node.gpu_count;
    if (node.model >= 0) c.model_gpus_[node.model] += node.gpu_count;
    c.total_cpu_milli_ += node.cpu_capacity;
    c.max_node_cpu_milli_ = std::max(c.max_node_cpu_milli_, node.cpu_capacity);
    c.max_node_gpus_ = std::max<int>(c.max_node_gpus_, node.gpu_count);
    c.nodes_.push_back(std::move(node));
  }
  c.order_.resize(c.nodes_.size());
  for (size_t i = 0; i < c.order_.size(); ++i) c.order_[i] = static_cast<int>(i);
  return c;
}

void Cluster::Refresh(Node& node) {
  node.gpu_left_total = 0;
  node.free_gpus = 0;
  node.max_gpu_left = 0;
  for (int g = 0; g < node.gpu_count; ++g) {
    const int16_t left = node.gpu_left[g];
    node.gpu_left_total += left;
    node.free_gpus += left == 1000;
    node.max_gpu_left = std::max(node.max_gpu_left, left);
  }
  node.sorted_left = node.gpu_left;
  std::sort(node.sorted_left.begin(), node.sorted_left.begin() + node.gpu_count, std::greater<>());
  ++node.version;
}

Result<Demand> Cluster::Resolve(const Request& request) const {
  AVA_RETURN_IF_ERROR(request.Validate());
  Demand d;
  d.gpus = request.gpus;
  d.milli = request.gpus > 0 ? request.gpu_milli : 0;
  d.cpu_milli = request.cpu_milli;
  d.memory_bytes = request.memory_bytes;
  if (!request.gpu_models.empty()) {
    d.model_mask = 0;
    for (const std::string& m : request.gpu_models) {
      const int id = ModelId(m);
      if (id < 0) {
        return Status::NotFound(
            fmt::format("no node has GPU model '{}' (this pool has: {})", m,
                        models_.empty() ? "no GPUs" : fmt::format("{}", fmt::join(models_, ", "))));
      }
      d.model_mask |= uint64_t{1} << id;
    }
  }
  return d;
}

bool Cluster::FitsEmpty(int n, const Demand& d) const {
  const Node& node = nodes_[n];
  if (node.cpu_capacity < d.cpu_milli || node.memory_capacity < d.memory_bytes) return false;
  if (d.gpus == 0) return true;
  return d.AcceptsModel(node.model) && node.gpu_count >= d.gpus;
}

Status Cluster::Allocate(const Placement& p) {
  if (p.node < 0 || p.node >= node_count())
    return Status::FailedPrecondition(fmt::format("no node {}", p.node));
  Node& node = nodes_[p.node];
  if (node.cpu_left < p.cpu_milli || node.memory_left < p.memory_bytes) {
    return Status::FailedPrecondition(
        fmt::format("node {} lacks the CPU or memory for this placement", node.name));
  }
  if (p.gpu_mask >> node.gpu_count != 0 || (p.gpu_mask != 0) != (p.gpu_milli > 0)) {
    return Status::FailedPrecondition(fmt::format("node {} has no such GPUs", node.name));
  }
  for (uint32_t m = p.gpu_mask; m != 0; m &= m - 1) {
    const int g = std::countr_zero(m);
    if (node.gpu_left[g] < p.gpu_milli) {
      return Status::FailedPrecondition(fmt::format("GPU {} of node {} has {} milli left; {} asked", g,
                                                    node.name, node.gpu_left[g], p.gpu_milli));
    }
  }
  for (uint32_t m = p.gpu_mask; m != 0; m &= m - 1) node.gpu_left[std::countr_zero(m)] -= p.gpu_milli;
  node.cpu_left -= p.cpu_milli;
  node.memory_left -= p.memory_bytes;
  if (p.gpu_mask != 0) ++node.residents[Shape(p)];
  allocated_gpu_milli_ += int64_t{p.gpu_milli} * p.gpu_count();
  Refresh(node);
  return Status::OK();
}

Status Cluster::Release(const Placement& p) {
  if (p.node < 0 || p.node >= node_count())
    return Status::FailedPrecondition(fmt::format("no node {}", p.node));
  Node& node = nodes_[p.node];
  if (node.cpu_left + p.cpu_milli > node.cpu_capacity ||
      node.memory_left + p.memory_bytes > node.memory_capacity || p.gpu_mask >> node.gpu_count != 0) {
    return Status::FailedPrecondition(fmt::format("releasing more than node {} has allocated", node.name));
  }
  for (uint32_t m = p.gpu_mask; m != 0; m &= m - 1) {
    if (node.gpu_left[std::countr_zero(m)] + p.gpu_milli > 1000) {
      return Status::FailedPrecondition(fmt::format("releasing more than node {} has allocated", node.name));
    }
  }
  if (p.gpu_mask != 0 && node.residents[Shape(p)] == 0) {
    return Status::FailedPrecondition(fmt::format("node {} runs no member of that shape", node.name));
  }
  for (uint32_t m = p.gpu_mask; m != 0; m &= m - 1) node.gpu_left[std::countr_zero(m)] += p.gpu_milli;
  node.cpu_left += p.cpu_milli;
  node.memory_left += p.memory_bytes;
  if (p.gpu_mask != 0) --node.residents[Shape(p)];
  allocated_gpu_milli_ -= int64_t{p.gpu_milli} * p.gpu_count();
  Refresh(node);
  return Status::OK();
}

int Cluster::FindNode(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? -1 : it->second;
}

int Cluster::ModelId(std::string_view model) const {
  for (size_t i = 0; i < models_.size(); ++i) {
    if (models_[i] == model) return static_cast<int>(i);
  }
  return -1;
}

Status Cluster::SetRanks(const std::vector<int>& rank) {
  const int n = node_count();
  if (static_cast<int>(rank.size()) != n) {
    return Status::InvalidArgument(fmt::format("{} ranks for {} nodes", rank.size(), n));
  }
  std::vector<int> order(n, -1);
  for (int i = 0; i < n; ++i) {
    if (rank[i] < 0 || rank[i] >= n || order[rank[i]] >= 0) {
      return Status::InvalidArgument("ranks must be a permutation of 0..n-1");
    }
    order[rank[i]] = i;
  }
  for (int i = 0; i < n; ++i) nodes_[i].rank = rank[i];
  order_ = std::move(order);
  return Status::OK();
}

}  // namespace ava::sched
