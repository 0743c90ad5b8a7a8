// /healthz, /metrics and /v1/openapi.json: the calls that need no token.
#include "api/handler_util.h"
#include "api/openapi_document.h"

namespace ava::api {
namespace {

Response Health(ApiContext& ctx, ApiRequest&) {
  Result<int> version = ctx.store.SchemaVersion();
  if (!version.ok())
    return Fail(Status::Unavailable("the database does not answer: " + version.status().message()));
  return TextResponse("ok\n");
}

Response Metrics(ApiContext& ctx, ApiRequest&) {
  if (ctx.metrics == nullptr) return TextResponse("", "text/plain; version=0.0.4");
  return TextResponse(ctx.metrics->RenderPrometheus(), "text/plain; version=0.0.4");
}

Response OpenApi(ApiContext&, ApiRequest&) {
  Response r;
  r.body = std::string(OpenApiDocument());
  return r;
}

}  // namespace

void RegisterSystemRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/healthz", Access::kPublic, [&ctx](ApiRequest& r) { return Health(ctx, r); });
  router.Add("GET", "/metrics", Access::kPublic, [&ctx](ApiRequest& r) { return Metrics(ctx, r); });
  router.Add("GET", "/v1/openapi.json", Access::kPublic, [&ctx](ApiRequest& r) { return OpenApi(ctx, r); });
}

}  // namespace ava::api
