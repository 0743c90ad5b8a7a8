// /v1/jobs/{id}/events: a job's state changes and scheduler notes, oldest first.
#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Response ListEvents(ApiContext& ctx, ApiRequest& req) {
  int64_t id = 0;
  std::string field;
  Status s = PathId(req, "id", &id, &field);
  if (!s.ok()) return Fail(s, field);
  db::Page page;
  if (!(s = PageFromQuery(req, &page, &field)).ok()) return Fail(s, field);
  Result<db::Job> job = ctx.plane.VisibleJob(req.caller, id);
  if (!job.ok()) return Fail(job.status());
  db::EventFilter filter;
  filter.job_id = id;
  Result<std::vector<db::Event>> events = ctx.store.ListEvents(filter, page);
  if (!events.ok()) return Fail(events.status());
  Json items = Json::array();
  for (const db::Event& e : *events) items.push_back(EventToJson(e));
  return JsonResponse(ListJson(std::move(items), page, events->empty() ? 0 : events->back().id));
}

}  // namespace

void RegisterEventRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/jobs/{id}/events", Access::kUser,
             [&ctx](ApiRequest& r) { return ListEvents(ctx, r); });
}

}  // namespace ava::api
