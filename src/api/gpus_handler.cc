// /v1/gpus: every GPU of every registered node, with what is allocated on it and to which jobs.
#include "api/handler_util.h"

namespace ava::api {
namespace {

Response ListGpus(ApiContext& ctx, ApiRequest&) {
  Result<std::vector<GpuView>> gpus = ctx.plane.Gpus();
  if (!gpus.ok()) return Fail(gpus.status());
  Json items = Json::array();
  for (const GpuView& g : *gpus) {
    items.push_back({{"node", g.node},
                     {"node_state", std::string(db::Name(g.node_state))},
                     {"index", g.index},
                     {"model", g.model},
                     {"memory_bytes", g.memory_bytes},
                     {"allocated_milli", g.allocated_milli},
                     {"jobs", g.jobs}});
  }
  return JsonResponse(Json{{"items", std::move(items)}, {"next_after_id", nullptr}});
}

}  // namespace

void RegisterGpuRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/gpus", Access::kUser, [&ctx](ApiRequest& r) { return ListGpus(ctx, r); });
}

}  // namespace ava::api
