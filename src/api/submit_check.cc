#include "api/submit_check.h"

#include <fmt/format.h>

#include "sched/cluster.h"
#include "sched/fit_explainer.h"

namespace ava::api {

Status CheckCanEverRun(const JobSpec& spec, const gpu::Inventory& known, const sched::QuotaConfig& quotas,
                       const std::string& user, const std::string& group, std::string* field) {
  const sched::Request member = spec.MemberRequest();
  sched::QuotaBook book(quotas);
  Status ever = book.CheckEver(user, group, member.total_gpu_milli() * spec.gang);
  if (!ever.ok()) {
    *field = "resources";
    return Status::FailedPrecondition(fmt::format("this job can never run: {}", ever.message()));
  }
  if (known.nodes.empty()) return Status::OK();
  Result<sched::Cluster> cluster = sched::Cluster::Build(known);
  if (!cluster.ok()) return cluster.status().Annotate("the pool cannot be modelled");
  Result<sched::Demand> demand = cluster->Resolve(member);
  if (!demand.ok()) {
    *field = demand.status().code() == Code::kNotFound ? "resources.gpu_model" : "resources";
    return Status::InvalidArgument(demand.status().message());
  }
  std::vector<sched::Demand> members(static_cast<size_t>(spec.gang), *demand);
  if (std::optional<std::string> never = sched::ExplainNeverFits(*cluster, members)) {
    *field = "resources";
    return Status::FailedPrecondition(fmt::format("this job can never run on this pool: {}", *never));
  }
  return Status::OK();
}

}  // namespace ava::api
