// Caller: who is making an avad request, as established from its bearer token (authenticator.h):
// a person (user, possibly admin, with group memberships) or a node agent (the built-in user
// `agent:<node>` that `avad node-token NODE` creates). Permission checks in the handlers are
// questions asked of a Caller.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/records.h"

namespace ava::api {

// Users whose name starts with this are node agents; people cannot be given such names.
inline constexpr std::string_view kAgentUserPrefix = "agent:";

struct Caller {
  db::User user;
  std::vector<db::Membership> memberships;  // ordered by group id

  bool is_admin() const { return user.is_admin && !is_agent(); }
  bool is_agent() const { return user.name.starts_with(kAgentUserPrefix); }
  // The node an agent token speaks for ("" for people).
  std::string agent_node() const {
    return is_agent() ? user.name.substr(kAgentUserPrefix.size()) : std::string();
  }
  bool InGroup(int64_t group_id) const;
  bool IsGroupAdmin(int64_t group_id) const;
  // The group a job of this caller is charged to by default: its group with the lowest id, if any.
  std::optional<int64_t> DefaultGroup() const;
};

// The user name an agent of `node` authenticates as.
std::string AgentUserName(std::string_view node);

}  // namespace ava::api
