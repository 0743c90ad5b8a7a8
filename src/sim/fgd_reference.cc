#include "sim/fgd_reference.h"

#include <fmt/format.h>

#include <set>

#include "sim/csv_reader.h"

namespace ava::sim {

std::string_view ReferenceLabel(std::string_view policy) {
  if (policy == "random") return "01-Random";
  if (policy == "dot-product") return "02-DotProd";
  if (policy == "gpu-clustering") return "03-GpuClustering";
  if (policy == "gpu-packing") return "04-GpuPacking";
  if (policy == "best-fit") return "05-BestFit";
  if (policy == "fgd") return "06-FGD";
  return "";
}

Result<FgdReference> FgdReference::Load(const std::string& dir) {
  FgdReference ref;
  const std::pair<CurveKind, const char*> files[] = {
      {CurveKind::kAlloc, "analysis_allo_discrete.csv"},
      {CurveKind::kFrag, "analysis_frag_discrete.csv"},
      {CurveKind::kFragRatio, "analysis_frag_ratio_discrete.csv"}};
  for (const auto& [kind, file] : files) {
    const std::string path = dir + "/" + file;
    AVA_ASSIGN_OR_RETURN(CsvTable t, CsvTable::Load(path));
    const int workload = t.Column("workload"), policy = t.Column("sc_policy"), seed = t.Column("seed");
    const int first = t.Column("0");
    if (workload < 0 || policy < 0 || seed < 0 || first < 0 ||
        first + kCurvePoints > static_cast<int>(t.header().size())) {
      return Status::InvalidArgument(
          fmt::format("{}: expected columns workload, sc_policy, seed, 0..130", path));
    }
    for (size_t r = 0; r < t.rows(); ++r) {
      AVA_ASSIGN_OR_RETURN(int64_t s, t.Int(r, seed));
      Curve c;
      for (int col = 0; col < kCurvePoints; ++col) {
        if (t.Cell(r, first + col).empty()) continue;
        AVA_ASSIGN_OR_RETURN(c.value[col], t.Double(r, first + col));
        c.present[col] = true;
      }
      ref.rows_[Key{static_cast<int>(kind), t.Cell(r, workload), t.Cell(r, policy), s}] = c;
    }
  }
  return ref;
}

const Curve* FgdReference::Find(CurveKind kind, std::string_view workload, std::string_view policy,
                                int64_t seed) const {
  auto it = rows_.find(Key{static_cast<int>(kind), std::string(workload), std::string(policy), seed});
  return it == rows_.end() ? nullptr : &it->second;
}

std::vector<std::string> FgdReference::Workloads() const {
  std::set<std::string> s;
  for (const auto& [k, v] : rows_) s.insert(std::get<1>(k));
  return {s.begin(), s.end()};
}

std::vector<std::string> FgdReference::Policies() const {
  std::set<std::string> s;
  for (const auto& [k, v] : rows_) s.insert(std::get<2>(k));
  return {s.begin(), s.end()};
}

std::vector<int64_t> FgdReference::Seeds() const {
  std::set<int64_t> s;
  for (const auto& [k, v] : rows_) s.insert(std::get<3>(k));
  return {s.begin(), s.end()};
}

}  // namespace ava::sim
