// /v1/groups: groups and their members (admins manage them; everyone may list them).
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Response CreateGroup(ApiContext& ctx, ApiRequest& req) {
  Json body;
  std::string field, name;
  Status s = ParseJsonBody(req, &body);
  if (!s.ok()) return Fail(s);
  if (!(s = JsonString(body, "name", std::nullopt, &name, &field)).ok()) return Fail(s, field);
  if (!(s = CheckPersonName("group", name)).ok()) return Fail(s, "name");
  Result<db::Group> g = ctx.store.CreateGroup(name);
  if (!g.ok()) return Fail(g.status(), "name");
  return JsonResponse(GroupToJson(*g), 201);
}

Response ListGroups(ApiContext& ctx, ApiRequest& req) {
  db::Page page;
  std::string field;
  Status s = PageFromQuery(req, &page, &field);
  if (!s.ok()) return Fail(s, field);
  Result<std::vector<db::Group>> groups = ctx.store.ListGroups(page);
  if (!groups.ok()) return Fail(groups.status());
  Json items = Json::array();
  for (const db::Group& g : *groups) items.push_back(GroupToJson(g));
  return JsonResponse(ListJson(std::move(items), page, groups->empty() ? 0 : groups->back().id));
}

Response AddMember(ApiContext& ctx, ApiRequest& req) {
  Result<db::Group> group = ctx.store.GetGroupByName(req.params["g"]);
  if (!group.ok()) return Fail(group.status());
  Json body;
  std::string field, user_name, role_text;
  Status s = ParseJsonBody(req, &body);
  if (!s.ok()) return Fail(s);
  if (!(s = JsonString(body, "user", std::nullopt, &user_name, &field)).ok()) return Fail(s, field);
  if (!(s = JsonString(body, "role", std::string("member"), &role_text, &field)).ok()) return Fail(s, field);
  Result<db::Role> role = db::ParseRole(role_text);
  if (!role.ok()) return Fail(role.status(), "role");
  Result<db::User> user = ctx.store.GetUserByName(user_name);
  if (!user.ok()) {
    if (user.status().IsNotFound()) {
      return Fail(Status::InvalidArgument(fmt::format("there is no user '{}'", user_name)), "user");
    }
    return Fail(user.status());
  }
  s = ctx.store.AddMember(group->id, user->id, *role);
  if (s.code() == Code::kAlreadyExists) s = ctx.store.SetMemberRole(group->id, user->id, *role);
  if (!s.ok()) return Fail(s);
  return JsonResponse(
      Json{{"group", group->name}, {"user", user->name}, {"role", std::string(db::Name(*role))}});
}

}  // namespace

void RegisterGroupRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/groups", Access::kAdmin, [&ctx](ApiRequest& r) { return CreateGroup(ctx, r); });
  router.Add("GET", "/v1/groups", Access::kUser, [&ctx](ApiRequest& r) { return ListGroups(ctx, r); });
  router.Add("POST", "/v1/groups/{g}/members", Access::kAdmin,
             [&ctx](ApiRequest& r) { return AddMember(ctx, r); });
}

}  // namespace ava::api
