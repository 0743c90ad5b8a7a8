#include "api/json_records.h"

#include <fmt/format.h>

#include "api/assignment.h"

namespace ava::api {

using nlohmann::json;

json OptionalTime(const std::optional<Nanos>& wall) { return wall ? json(FormatTime(*wall)) : json(nullptr); }

json UserToJson(const db::User& user, const std::vector<MembershipView>& groups) {
  json g = json::array();
  for (const MembershipView& m : groups)
    g.push_back({{"group", m.group}, {"role", std::string(db::Name(m.role))}});
  return {{"id", user.id},
          {"name", user.name},
          {"is_admin", user.is_admin},
          {"created", FormatTime(user.created)},
          {"groups", std::move(g)}};
}

json GroupToJson(const db::Group& group) {
  return {{"id", group.id}, {"name", group.name}, {"created", FormatTime(group.created)}};
}

json QuotaToJson(const db::Quota& q) {
  return {{"scope", std::string(db::Name(q.scope))},
          {"name", q.name},
          {"gpu_model", q.gpu_model},
          {"max_gpus", q.max_gpus}};
}

json NodeToJson(const db::Node& node, const gpu::NodeInventory* inv) {
  json gpus = json::array();
  if (inv != nullptr) {
    for (const gpu::GpuDevice& g : inv->gpus) {
      gpus.push_back({{"index", g.index}, {"model", g.model}, {"memory_bytes", g.memory_bytes}});
    }
  }
  return {{"id", node.id},
          {"name", node.name},
          {"address", node.address},
          {"state", std::string(db::Name(node.state))},
          {"registered", FormatTime(node.registered)},
          {"last_heartbeat", OptionalTime(node.last_heartbeat)},
          {"gpus", std::move(gpus)},
          {"cpu_milli", inv != nullptr ? inv->cpu_milli : 0},
          {"memory_bytes", inv != nullptr ? inv->memory_bytes : 0},
          {"labels", json::object()}};
}

json JobToJson(const db::Job& job, const std::string& user, const std::string& group,
               const std::vector<std::string>& node_names, const json* spec) {
  const bool fraction = job.gpus > 0 && job.gpus < 1;
  json resources = {{"gpus", fraction ? 1 : static_cast<int64_t>(job.gpus)},
                    {"gpu_milli", fraction ? static_cast<int64_t>(job.gpus * 1000 + 0.5) : 1000},
                    {"gpu_model", job.gpu_model},
                    {"cpus", job.cpus},
                    {"memory", job.memory_bytes}};
  json placement = json::array();
  Result<Assignment> a = ParseAssignment(job.assignment_json);
  if (a.ok()) {
    for (const MemberAssignment& m : a->members) {
      placement.push_back({{"rank", m.rank}, {"node", m.node}, {"gpus", m.gpus}, {"gpu_milli", m.gpu_milli}});
    }
  }
  json j = {{"id", job.id},
            {"name", job.name},
            {"kind", std::string(db::Name(job.kind))},
            {"user", user},
            {"group", group.empty() ? json(nullptr) : json(group)},
            {"state", std::string(db::Name(job.state))},
            {"priority", job.priority},
            {"resources", std::move(resources)},
            {"gang", job.gang_size},
            {"max_runtime_s", std::chrono::duration_cast<std::chrono::seconds>(job.max_runtime).count()},
            {"submitted", FormatTime(job.submitted)},
            {"scheduled", OptionalTime(job.scheduled)},
            {"started", OptionalTime(job.started)},
            {"finished", OptionalTime(job.finished)},
            {"exit_code", job.exit_code ? json(*job.exit_code) : json(nullptr)},
            {"reason", job.reason},
            {"nodes", node_names},
            {"placement", std::move(placement)}};
  if (!job.report_json.empty()) {
    try {
      j["report"] = json::parse(job.report_json);
    } catch (const std::exception&) {
      j["report"] = job.report_json;
    }
  }
  if (spec != nullptr) j["spec"] = *spec;
  return j;
}

json EventToJson(const db::Event& e) {
  json j = {{"id", e.id}, {"time", FormatTime(e.time)}, {"type", e.type}, {"message", e.message}};
  if (e.job_id) j["job_id"] = *e.job_id;
  if (e.node_id) j["node_id"] = *e.node_id;
  return j;
}

}  // namespace ava::api
