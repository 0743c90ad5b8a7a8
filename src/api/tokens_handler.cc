// /v1/tokens: a user's own bearer tokens (the secret is shown once, when made).
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Response CreateToken(ApiContext& ctx, ApiRequest& req) {
  Json body;
  std::string field, name;
  Status s = ParseJsonBody(req, &body);
  if (!s.ok()) return Fail(s);
  if (!(s = JsonString(body, "name", std::nullopt, &name, &field)).ok()) return Fail(s, field);
  if (name.empty() || name.size() > 128)
    return Fail(Status::InvalidArgument("'name' must be 1..128 characters"), "name");
  Result<db::IssuedToken> t = ctx.store.CreateToken(req.caller.user.id, name, std::nullopt);
  if (!t.ok()) return Fail(t.status(), t.status().IsInvalidArgument() ? "name" : "");
  return JsonResponse(Json{{"id", t->token.id}, {"name", t->token.name}, {"token", t->secret}}, 201);
}

Response RevokeToken(ApiContext& ctx, ApiRequest& req) {
  int64_t id = 0;
  std::string field;
  Status s = PathId(req, "id", &id, &field);
  if (!s.ok()) return Fail(s, field);
  Result<std::vector<db::Token>> mine = ctx.store.ListTokens(req.caller.user.id);
  if (!mine.ok()) return Fail(mine.status());
  bool own = false;
  for (const db::Token& t : *mine) own |= t.id == id;
  // Another user's token answers like a missing one.
  if (!own) return Fail(Status::NotFound(fmt::format("token {} not found", id)));
  s = ctx.store.RevokeToken(id);
  if (!s.ok()) return Fail(s);
  return JsonResponse(Json{{"id", id}, {"revoked", true}});
}

}  // namespace

void RegisterTokenRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/tokens", Access::kUser, [&ctx](ApiRequest& r) { return CreateToken(ctx, r); });
  router.Add("DELETE", "/v1/tokens/{id}", Access::kUser,
             [&ctx](ApiRequest& r) { return RevokeToken(ctx, r); });
}

}  // namespace ava::api
