// /v1/quotas: GPU quotas per user and per group (admins set them; everyone may read them).
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Response ListQuotas(ApiContext& ctx, ApiRequest&) {
  Result<std::vector<db::Quota>> quotas = ctx.store.ListQuotas();
  if (!quotas.ok()) return Fail(quotas.status());
  Json items = Json::array();
  for (const db::Quota& q : *quotas) items.push_back(QuotaToJson(q));
  return JsonResponse(Json{{"items", std::move(items)}, {"next_after_id", nullptr}});
}

Response SetQuota(ApiContext& ctx, ApiRequest& req) {
  Json body;
  std::string field, scope_text;
  Status s = ParseJsonBody(req, &body);
  if (!s.ok()) return Fail(s);
  db::Quota q;
  if (!(s = JsonString(body, "scope", std::nullopt, &scope_text, &field)).ok()) return Fail(s, field);
  Result<db::QuotaScope> scope = db::ParseQuotaScope(scope_text);
  if (!scope.ok()) return Fail(scope.status(), "scope");
  q.scope = *scope;
  if (!(s = JsonString(body, "name", std::nullopt, &q.name, &field)).ok()) return Fail(s, field);
  if (!(s = JsonString(body, "gpu_model", std::string("*"), &q.gpu_model, &field)).ok())
    return Fail(s, field);
  if (q.gpu_model.empty()) q.gpu_model = "*";
  if (!(s = JsonInt(body, "max_gpus", std::nullopt, &q.max_gpus, &field)).ok()) return Fail(s, field);
  if (q.max_gpus < 0 || q.max_gpus > 1000000) {
    return Fail(Status::InvalidArgument("'max_gpus' must be 0..1000000"), "max_gpus");
  }
  s = ctx.store.SetQuota(q);
  if (!s.ok()) {
    if (s.IsNotFound()) return Fail(Status::InvalidArgument(s.message()), "name");
    return Fail(s);
  }
  AVA_LOG(ctx.logger, kInfo, "quotas", "{} set the quota of {} {} on {} to {} GPUs", req.caller.user.name,
          db::Name(q.scope), q.name, q.gpu_model, q.max_gpus);
  ctx.plane.QuotasChanged();
  return JsonResponse(QuotaToJson(q));
}

}  // namespace

void RegisterQuotaRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/quotas", Access::kUser, [&ctx](ApiRequest& r) { return ListQuotas(ctx, r); });
  router.Add("PUT", "/v1/quotas", Access::kAdmin, [&ctx](ApiRequest& r) { return SetQuota(ctx, r); });
}

}  // namespace ava::api
