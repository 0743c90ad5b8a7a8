// /v1/workspaces: interactive environments — jobs of kind workspace with an idle timeout.
#include "api/handler_util.h"

namespace ava::api {
namespace {

Response Start(ApiContext& ctx, ApiRequest& req) {
  std::string field;
  Result<db::Job> job = ctx.plane.Submit(req.caller, req.http.body, db::JobKind::kWorkspace, &field);
  if (!job.ok()) return Fail(job.status(), field);
  return JsonResponse(JobJson(ctx, *job, false), 201);
}

Response Stop(ApiContext& ctx, ApiRequest& req) {
  int64_t id = 0;
  std::string field;
  Status s = PathId(req, "id", &id, &field);
  if (!s.ok()) return Fail(s, field);
  Result<db::Job> job = ctx.plane.Cancel(req.caller, id, true);
  if (!job.ok()) return Fail(job.status());
  return JsonResponse(JobJson(ctx, *job, false));
}

}  // namespace

void RegisterWorkspaceRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/workspaces", Access::kUser, [&ctx](ApiRequest& r) { return Start(ctx, r); });
  router.Add("POST", "/v1/workspaces/{id}/stop", Access::kUser,
             [&ctx](ApiRequest& r) { return Stop(ctx, r); });
}

}  // namespace ava::api
