// Authenticator: turns an `Authorization: Bearer <token>` header into a Caller. Tokens are looked
// up by their SHA-256 (db::Store::FindUserByToken); the secret itself is never stored or logged.
//
// Errors: Unauthenticated when the header is missing, not a bearer token, or the token is unknown,
// revoked or expired — the message does not say which, so it cannot be used to probe tokens;
// Unavailable when the store cannot be reached.
// Thread safety: safe for concurrent use (the store is).
#pragma once

#include <string_view>

#include "api/caller.h"
#include "common/result.h"
#include "db/store.h"

namespace ava::api {

class Authenticator {
 public:
  explicit Authenticator(db::Store& store) : store_(store) {}
  Result<Caller> Authenticate(std::string_view authorization_header);

 private:
  db::Store& store_;
};

}  // namespace ava::api
