// /v1/jobs: submit (YAML or JSON spec), list, show, cancel. Jobs of others answer 404.
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Response Submit(ApiContext& ctx, ApiRequest& req) {
  std::string field;
  Result<db::Job> job = ctx.plane.Submit(req.caller, req.http.body, std::nullopt, &field);
  if (!job.ok()) return Fail(job.status(), field);
  return JsonResponse(JobJson(ctx, *job, false), 201);
}

Response List(ApiContext& ctx, ApiRequest& req) {
  db::Page page;
  std::string field;
  Status s = PageFromQuery(req, &page, &field);
  if (!s.ok()) return Fail(s, field);
  std::vector<db::JobState> states;
  const std::string state_text = req.Query("state");
  size_t start = 0;
  while (!state_text.empty() && start <= state_text.size()) {
    size_t comma = state_text.find(',', start);
    std::string one =
        state_text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    Result<db::JobState> st = db::ParseJobState(one);
    if (!st.ok()) return Fail(st.status(), "state");
    states.push_back(*st);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::optional<db::JobKind> kind;
  if (req.HasQuery("kind")) {
    Result<db::JobKind> k = db::ParseJobKind(req.Query("kind"));
    if (!k.ok()) return Fail(k.status(), "kind");
    kind = *k;
  }
  std::optional<int64_t> owner;
  if (req.HasQuery("user")) {
    Result<db::User> u = ctx.store.GetUserByName(req.Query("user"));
    if (!u.ok()) {
      if (u.status().IsNotFound()) return JsonResponse(ListJson(Json::array(), page, 0));
      return Fail(u.status());
    }
    owner = u->id;
  }
  Result<std::vector<db::Job>> jobs = ctx.plane.ListVisibleJobs(req.caller, owner, states, kind, page);
  if (!jobs.ok()) return Fail(jobs.status());
  Json items = Json::array();
  for (const db::Job& j : *jobs) items.push_back(JobJson(ctx, j, false));
  return JsonResponse(ListJson(std::move(items), page, jobs->empty() ? 0 : jobs->back().id));
}

Response Show(ApiContext& ctx, ApiRequest& req) {
  int64_t id = 0;
  std::string field;
  Status s = PathId(req, "id", &id, &field);
  if (!s.ok()) return Fail(s, field);
  Result<db::Job> job = ctx.plane.VisibleJob(req.caller, id);
  if (!job.ok()) return Fail(job.status());
  return JsonResponse(JobJson(ctx, *job, true));
}

Response Cancel(ApiContext& ctx, ApiRequest& req) {
  int64_t id = 0;
  std::string field;
  Status s = PathId(req, "id", &id, &field);
  if (!s.ok()) return Fail(s, field);
  Result<db::Job> job = ctx.plane.Cancel(req.caller, id, false);
  if (!job.ok()) return Fail(job.status());
  return JsonResponse(JobJson(ctx, *job, false));
}

}  // namespace

void RegisterJobRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/jobs", Access::kUser, [&ctx](ApiRequest& r) { return Submit(ctx, r); });
  router.Add("GET", "/v1/jobs", Access::kUser, [&ctx](ApiRequest& r) { return List(ctx, r); });
  router.Add("GET", "/v1/jobs/{id}", Access::kUser, [&ctx](ApiRequest& r) { return Show(ctx, r); });
  router.Add("POST", "/v1/jobs/{id}/cancel", Access::kUser, [&ctx](ApiRequest& r) { return Cancel(ctx, r); });
}

}  // namespace ava::api
