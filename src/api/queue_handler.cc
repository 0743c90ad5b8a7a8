// /v1/queue: the waiting jobs in order, each with its position and why it waits.
#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Response Queue(ApiContext& ctx, ApiRequest&) {
  Json items = Json::array();
  for (const QueueItem& q : ctx.plane.Queue()) {
    const bool fraction = q.gpus > 0 && q.gpus < 1;
    items.push_back({{"id", q.job_id},
                     {"name", q.name},
                     {"kind", std::string(db::Name(q.kind))},
                     {"user", q.user},
                     {"group", q.group.empty() ? Json(nullptr) : Json(q.group)},
                     {"priority", q.priority},
                     {"position", q.position},
                     {"reason", q.reason},
                     {"submitted", FormatTime(q.submitted)},
                     {"requested",
                      {{"gpus", fraction ? 1 : static_cast<int64_t>(q.gpus)},
                       {"gpu_milli", fraction ? static_cast<int64_t>(q.gpus * 1000 + 0.5) : 1000},
                       {"gpu_model", q.gpu_model},
                       {"cpus", q.cpus},
                       {"memory", q.memory_bytes},
                       {"gang", q.gang}}}});
  }
  return JsonResponse(Json{{"items", std::move(items)}, {"next_after_id", nullptr}});
}

}  // namespace

void RegisterQueueRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/queue", Access::kUser, [&ctx](ApiRequest& r) { return Queue(ctx, r); });
}

}  // namespace ava::api
