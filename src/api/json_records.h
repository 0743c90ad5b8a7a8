// How avad shows its records in JSON: users, groups, nodes, jobs, events, quotas. Times are RFC 3339
// UTC strings with milliseconds ("2026-03-01T12:00:05.250Z"), sizes integers in bytes, GPU shares
// milli-GPUs. Names of related rows (a job's user and group, a node's name) are passed in by the
// caller, which has looked them up.
//
// Thread safety: free functions over values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/rfc3339.h"
#include "db/records.h"
#include "gpu/node_inventory.h"

namespace ava::api {

nlohmann::json OptionalTime(const std::optional<Nanos>& wall);

struct MembershipView {
  std::string group;
  db::Role role = db::Role::kMember;
};

nlohmann::json UserToJson(const db::User& user, const std::vector<MembershipView>& groups);
nlohmann::json GroupToJson(const db::Group& group);
nlohmann::json QuotaToJson(const db::Quota& quota);
// `inventory` is null when the stored one cannot be read.
nlohmann::json NodeToJson(const db::Node& node, const gpu::NodeInventory* inventory);
// `node_names` maps the placement's node ids to names (ids missing from it print as "#<id>").
// `report` is included when the job stored one; `spec` (normalised) when given.
nlohmann::json JobToJson(const db::Job& job, const std::string& user, const std::string& group,
                         const std::vector<std::string>& node_names, const nlohmann::json* spec);
nlohmann::json EventToJson(const db::Event& event);

}  // namespace ava::api
