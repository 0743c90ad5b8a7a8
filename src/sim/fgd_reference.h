// FgdReference: the published per-seed curves of the FGD paper's artifact
// (../shared/traces/fgd-expected-results/analysis_{allo,frag,frag_ratio}_discrete.csv): rows of
// workload × policy × seed, columns 0..130 % arrived.
//
// Errors: Load fails with NotFound / InvalidArgument on a missing or malformed file.
// Thread safety: immutable after Load.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/result.h"
#include "sim/openb_curves.h"

namespace ava::sim {

enum class CurveKind { kAlloc, kFrag, kFragRatio };

class FgdReference {
 public:
  // `dir` holds the three CSVs.
  static Result<FgdReference> Load(const std::string& dir);

  // nullptr when the reference has no such row. `workload` is the file stem ("openb_pod_list_default"),
  // `policy` the reference's label ("06-FGD").
  const Curve* Find(CurveKind kind, std::string_view workload, std::string_view policy, int64_t seed) const;
  // The distinct workloads, policies and seeds present, sorted.
  std::vector<std::string> Workloads() const;
  std::vector<std::string> Policies() const;
  std::vector<int64_t> Seeds() const;

 private:
  using Key = std::tuple<int, std::string, std::string, int64_t>;
  std::map<Key, Curve> rows_;
};

// The reference's label for an Ava policy name ("fgd" → "06-FGD"), or "" when it has none.
std::string_view ReferenceLabel(std::string_view policy);

}  // namespace ava::sim
