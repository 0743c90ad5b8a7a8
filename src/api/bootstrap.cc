#include "api/bootstrap.h"

#include <fmt/format.h>

#include "api/caller.h"
#include "api/handler_util.h"

namespace ava::api {

Result<std::optional<std::string>> EnsureAdmin(db::Store& store, std::string_view name) {
  AVA_RETURN_IF_ERROR(CheckPersonName("admin", name));
  db::Page page;
  page.limit = 1;
  AVA_ASSIGN_OR_RETURN(std::vector<db::User> users, store.ListUsers(page));
  if (!users.empty()) return std::optional<std::string>();
  AVA_ASSIGN_OR_RETURN(db::User admin, store.CreateUser(name, true));
  AVA_ASSIGN_OR_RETURN(db::IssuedToken token, store.CreateToken(admin.id, "initial", std::nullopt));
  return std::optional<std::string>(token.secret);
}

Result<std::string> IssueNodeToken(db::Store& store, std::string_view node) {
  if (node.empty() || node.size() > 200)
    return Status::InvalidArgument("a node name must be 1..200 characters");
  for (char c : node) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == 0x7f) {
      return Status::InvalidArgument(
          fmt::format("node name '{}' has a space, '/' or a control character", node));
    }
  }
  const std::string user_name = AgentUserName(node);
  Result<db::User> user = store.GetUserByName(user_name);
  if (!user.ok() && user.status().IsNotFound()) user = store.CreateUser(user_name, false);
  if (!user.ok()) return user.status();
  AVA_ASSIGN_OR_RETURN(db::IssuedToken token,
                       store.CreateToken(user->id, fmt::format("agent {}", node), std::nullopt));
  return token.secret;
}

}  // namespace ava::api
