// The two ways identities come into being outside the REST API, used by `avad init` (and avad's
// first start) and `avad node-token`:
//   EnsureAdmin     on a database with no users, creates the first admin and returns its token (the
//                   only time it is shown); on a database that has users, returns nullopt.
//   IssueNodeToken  creates the built-in user `agent:<node>` if needed and a new token for it.
//
// Errors: those of the store; InvalidArgument for an unusable name.
// Thread safety: safe to call concurrently (the store is); two racing EnsureAdmin calls may both
// see an empty database, and the second then fails with AlreadyExists.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "db/store.h"

namespace ava::api {

Result<std::optional<std::string>> EnsureAdmin(db::Store& store, std::string_view name);
Result<std::string> IssueNodeToken(db::Store& store, std::string_view node);

}  // namespace ava::api
