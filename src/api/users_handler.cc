// /v1/users and /v1/whoami: people and their groups (admins create users; everyone sees itself).
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Result<std::vector<MembershipView>> Groups(ApiContext& ctx, int64_t user_id) {
  AVA_ASSIGN_OR_RETURN(std::vector<db::Membership> ms, ctx.store.ListUserGroups(user_id));
  std::vector<MembershipView> out;
  for (const db::Membership& m : ms) out.push_back({ctx.plane.GroupName(m.group_id), m.role});
  return out;
}

Response UserAnswer(ApiContext& ctx, const db::User& user, int status = 200) {
  Result<std::vector<MembershipView>> groups = Groups(ctx, user.id);
  if (!groups.ok()) return Fail(groups.status());
  return JsonResponse(UserToJson(user, *groups), status);
}

Response CreateUser(ApiContext& ctx, ApiRequest& req) {
  Json body;
  std::string field;
  Status s = ParseJsonBody(req, &body);
  if (!s.ok()) return Fail(s);
  std::string name;
  bool is_admin = false;
  if (!(s = JsonString(body, "name", std::nullopt, &name, &field)).ok()) return Fail(s, field);
  if (!(s = CheckPersonName("user", name)).ok()) return Fail(s, "name");
  if (!(s = JsonBool(body, "is_admin", false, &is_admin, &field)).ok()) return Fail(s, field);

  std::vector<std::pair<db::Group, db::Role>> groups;
  auto it = body.find("groups");
  if (it != body.end() && !it->is_null()) {
    if (!it->is_array())
      return Fail(Status::InvalidArgument("'groups' must be a list of {group, role}"), "groups");
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& g = (*it)[i];
      const std::string at = fmt::format("groups[{}]", i);
      if (!g.is_object())
        return Fail(Status::InvalidArgument(fmt::format("{} must be {{group, role}}", at)), at);
      std::string group, role_text;
      if (!(s = JsonString(g, "group", std::nullopt, &group, &field)).ok()) return Fail(s, at + "." + field);
      if (!(s = JsonString(g, "role", std::string("member"), &role_text, &field)).ok())
        return Fail(s, at + "." + field);
      Result<db::Role> role = db::ParseRole(role_text);
      if (!role.ok()) return Fail(role.status(), at + ".role");
      Result<db::Group> found = ctx.store.GetGroupByName(group);
      if (!found.ok()) {
        if (found.status().IsNotFound()) {
          return Fail(Status::InvalidArgument(fmt::format("there is no group '{}' (create it first)", group)),
                      at + ".group");
        }
        return Fail(found.status());
      }
      groups.emplace_back(*found, *role);
    }
  }
  Result<db::User> user = ctx.store.CreateUser(name, is_admin);
  if (!user.ok()) return Fail(user.status(), user.status().code() == Code::kAlreadyExists ? "name" : "");
  for (const auto& [group, role] : groups) {
    s = ctx.store.AddMember(group.id, user->id, role);
    if (!s.ok() && s.code() != Code::kAlreadyExists) return Fail(s);
  }
  Result<db::IssuedToken> token = ctx.store.CreateToken(user->id, "initial", std::nullopt);
  if (!token.ok()) return Fail(token.status());
  AVA_LOG(ctx.logger, kInfo, "users", "{} created user {}{}", req.caller.user.name, name,
          is_admin ? " (admin)" : "");
  Result<std::vector<MembershipView>> views = Groups(ctx, user->id);
  if (!views.ok()) return Fail(views.status());
  return JsonResponse(Json{{"user", UserToJson(*user, *views)}, {"token", token->secret}}, 201);
}

Response ListUsers(ApiContext& ctx, ApiRequest& req) {
  db::Page page;
  std::string field;
  Status s = PageFromQuery(req, &page, &field);
  if (!s.ok()) return Fail(s, field);
  Result<std::vector<db::User>> users = ctx.store.ListUsers(page);
  if (!users.ok()) return Fail(users.status());
  Json items = Json::array();
  for (const db::User& u : *users) {
    Result<std::vector<MembershipView>> groups = Groups(ctx, u.id);
    if (!groups.ok()) return Fail(groups.status());
    items.push_back(UserToJson(u, *groups));
  }
  return JsonResponse(ListJson(std::move(items), page, users->empty() ? 0 : users->back().id));
}

Response GetUser(ApiContext& ctx, ApiRequest& req) {
  const std::string& name = req.params["name"];
  if (!req.caller.is_admin() && name != req.caller.user.name) {
    return Fail(Status::PermissionDenied("only admins may read other users"));
  }
  Result<db::User> user = ctx.store.GetUserByName(name);
  if (!user.ok()) return Fail(user.status());
  return UserAnswer(ctx, *user);
}

Response WhoAmI(ApiContext& ctx, ApiRequest& req) {
  Json groups = Json::array();
  for (const db::Membership& m : req.caller.memberships) {
    groups.push_back({{"group", ctx.plane.GroupName(m.group_id)}, {"role", std::string(db::Name(m.role))}});
  }
  return JsonResponse(Json{{"user", req.caller.user.name},
                           {"id", req.caller.user.id},
                           {"is_admin", req.caller.is_admin()},
                           {"groups", std::move(groups)}});
}

}  // namespace

void RegisterUserRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/users", Access::kAdmin, [&ctx](ApiRequest& r) { return CreateUser(ctx, r); });
  router.Add("GET", "/v1/users", Access::kAdmin, [&ctx](ApiRequest& r) { return ListUsers(ctx, r); });
  router.Add("GET", "/v1/users/{name}", Access::kUser, [&ctx](ApiRequest& r) { return GetUser(ctx, r); });
  router.Add("GET", "/v1/whoami", Access::kUser, [&ctx](ApiRequest& r) { return WhoAmI(ctx, r); });
}

}  // namespace ava::api
