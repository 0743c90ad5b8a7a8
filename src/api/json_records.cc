#include "api/json_records.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include "api/assignment.h"

namespace ava::api {

using nlohmann::json;

std::string FormatTime(Nanos wall) {
  const int64_t ns = wall.count();
  int64_t secs = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rem / 1000000);
}

Result<Nanos> ParseTime(std::string_view text) {
  const Status bad = Status::InvalidArgument(fmt::format("'{}' is not an RFC 3339 time", text));
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int used = 0;
  const std::string t(text.substr(0, 64));
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 ||
      used != 19) {
    return bad;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad;
  size_t i = 19;
  int64_t frac_ns = 0;
  if (i < t.size() && t[i] == '.') {
    int64_t scale = 100000000;
    ++i;
    if (i >= t.size() || !std::isdigit(static_cast<unsigned char>(t[i]))) return bad;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
      frac_ns += (t[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  int64_t offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(t.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) return bad;
    offset = (t[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return bad;
  }
  if (i != t.size() || t.size() != text.size()) return bad;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  return Nanos(secs * 1000000000 + frac_ns);
}

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
