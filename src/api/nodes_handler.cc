// /v1/nodes: the machines of the pool; admins drain and undrain them.
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Json NodeJson(ApiContext& ctx, const db::Node& n) {
  Result<gpu::NodeInventory> inv = ctx.plane.NodeInventory(n);
  return NodeToJson(n, inv.ok() ? &*inv : nullptr);
}

Response ListNodes(ApiContext& ctx, ApiRequest& req) {
  db::Page page;
  std::string field;
  Status s = PageFromQuery(req, &page, &field);
  if (!s.ok()) return Fail(s, field);
  Result<std::vector<db::Node>> nodes = ctx.store.ListNodes(page);
  if (!nodes.ok()) return Fail(nodes.status());
  Json items = Json::array();
  for (const db::Node& n : *nodes) items.push_back(NodeJson(ctx, n));
  return JsonResponse(ListJson(std::move(items), page, nodes->empty() ? 0 : nodes->back().id));
}

Response GetNode(ApiContext& ctx, ApiRequest& req) {
  Result<db::Node> node = ctx.store.GetNodeByName(req.params["name"]);
  if (!node.ok()) return Fail(node.status());
  return JsonResponse(NodeJson(ctx, *node));
}

Response Drain(ApiContext& ctx, ApiRequest& req, bool drained) {
  Result<db::Node> node = ctx.plane.SetDrained(req.params["name"], drained, req.caller.user.name);
  if (!node.ok()) return Fail(node.status());
  return JsonResponse(NodeJson(ctx, *node));
}

}  // namespace

void RegisterNodeRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/nodes", Access::kUser, [&ctx](ApiRequest& r) { return ListNodes(ctx, r); });
  router.Add("GET", "/v1/nodes/{name}", Access::kUser, [&ctx](ApiRequest& r) { return GetNode(ctx, r); });
  router.Add("POST", "/v1/nodes/{name}/drain", Access::kAdmin,
             [&ctx](ApiRequest& r) { return Drain(ctx, r, true); });
  router.Add("POST", "/v1/nodes/{name}/undrain", Access::kAdmin,
             [&ctx](ApiRequest& r) { return Drain(ctx, r, false); });
}

}  // namespace ava::api
