#include "api/authenticator.h"

namespace ava::api {

Result<Caller> Authenticator::Authenticate(std::string_view header) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    return Status::Unauthenticated("this call needs 'Authorization: Bearer <token>' (see `ava login`)");
  }
  if (!header.starts_with(kBearer)) {
    return Status::Unauthenticated("the Authorization header must be 'Bearer <token>'");
  }
  std::string_view secret = header.substr(kBearer.size());
  while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
  while (!secret.empty() && (secret.back() == ' ' || secret.back() == '\r')) secret.remove_suffix(1);
  if (secret.empty()) return Status::Unauthenticated("the bearer token is empty");
  Result<db::User> user = store_.FindUserByToken(secret);
  if (!user.ok()) {
    if (user.status().code() == Code::kUnauthenticated || user.status().code() == Code::kNotFound) {
      return Status::Unauthenticated("the token is not valid (unknown, revoked or expired)");
    }
    return user.status();
  }
  Caller caller;
  caller.user = std::move(user).value();
  AVA_ASSIGN_OR_RETURN(caller.memberships, store_.ListUserGroups(caller.user.id));
  return caller;
}

}  // namespace ava::api
