#include "api/caller.h"

namespace ava::api {

bool Caller::InGroup(int64_t group_id) const {
  for (const db::Membership& m : memberships) {
    if (m.group_id == group_id) return true;
  }
  return false;
}

bool Caller::IsGroupAdmin(int64_t group_id) const {
  for (const db::Membership& m : memberships) {
    if (m.group_id == group_id && m.role == db::Role::kAdmin) return true;
  }
  return false;
}

std::optional<int64_t> Caller::DefaultGroup() const {
  if (memberships.empty()) return std::nullopt;
  return memberships.front().group_id;
}

std::string AgentUserName(std::string_view node) { return std::string(kAgentUserPrefix) + std::string(node); }

}  // namespace ava::api
