#include "agent/protocol.h"

#include <fmt/format.h>

#include <ctime>

namespace ava::agent {
namespace {

Status Bad(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(fmt::format("avad's answer: '{}' {}", field, what));
}

Result<int64_t> GetId(const nlohmann::json& j, std::string_view field) {
  auto it = j.find(std::string(field));
  if (it == j.end() || !it->is_number_integer()) return Bad(field, "must be an integer");
  return it->get<int64_t>();
}

}  // namespace

std::string DumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FormatRfc3339(Nanos wall) {
  const int64_t ns = wall.count();
  const time_t secs = static_cast<time_t>(ns / 1000000000);
  const int64_t frac = ns % 1000000000;
  struct tm tm {};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

nlohmann::json RegisterRequestJson(const std::string& node, const std::string& address,
                                   const nlohmann::json& inventory, const std::string& agent_version) {
  return {{"node", node}, {"address", address}, {"inventory", inventory}, {"agent_version", agent_version}};
}

nlohmann::json FinishedJobJson(const FinishedJob& f) {
  nlohmann::json j = {{"job_id", f.job_id}, {"member", f.member}, {"error", f.error}};
  j["exit_code"] = f.exit_code ? nlohmann::json(*f.exit_code) : nlohmann::json(nullptr);
  j["signal"] = f.signal ? nlohmann::json(*f.signal) : nlohmann::json(nullptr);
  j["report"] = f.report ? *f.report : nlohmann::json(nullptr);
  return j;
}

Result<FinishedJob> ParseFinishedJob(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a finished job is a JSON object");
  FinishedJob f;
  AVA_ASSIGN_OR_RETURN(f.job_id, GetId(j, "job_id"));
  if (auto it = j.find("exit_code"); it != j.end() && it->is_number_integer()) f.exit_code = it->get<int>();
  if (auto it = j.find("signal"); it != j.end() && it->is_number_integer()) f.signal = it->get<int>();
  if (auto it = j.find("error"); it != j.end() && it->is_string()) f.error = it->get<std::string>();
  if (auto it = j.find("report"); it != j.end() && !it->is_null()) f.report = *it;
  if (auto it = j.find("member"); it != j.end() && it->is_number_integer()) f.member = it->get<int>();
  return f;
}

nlohmann::json HeartbeatRequestJson(const std::string& node, const std::vector<RunningJob>& running,
                                    const std::vector<FinishedJob>& finished) {
  nlohmann::json r = nlohmann::json::array();
  for (const RunningJob& j : running) {
    nlohmann::json e = {{"job_id", j.job_id}, {"member", j.member}, {"pid", j.pid}, {"state", "running"}};
    if (j.last_activity) e["last_activity"] = FormatRfc3339(*j.last_activity);
    r.push_back(std::move(e));
  }
  nlohmann::json f = nlohmann::json::array();
  for (const FinishedJob& j : finished) f.push_back(FinishedJobJson(j));
  return {{"node", node}, {"running", r}, {"finished", f}};
}

nlohmann::json LogChunksJson(const std::vector<OutputRecord>& chunks) {
  nlohmann::json arr = nlohmann::json::array();
  for (const OutputRecord& c : chunks) {
    arr.push_back(
        {{"stream", OutputStreamName(c.stream)}, {"time", FormatRfc3339(c.time)}, {"data", c.data}});
  }
  return {{"chunks", arr}};
}

Result<RegisterReply> ParseRegisterReply(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("avad's register answer is not a JSON object");
  RegisterReply r;
  if (auto it = j.find("heartbeat_interval_ms"); it != j.end() && !it->is_null()) {
    if (!it->is_number() || it->get<double>() < 0)
      return Bad("heartbeat_interval_ms", "must be a number >= 0");
    r.heartbeat_interval_ms = static_cast<int64_t>(it->get<double>());
  }
  if (auto it = j.find("node"); it != j.end() && it->is_string()) r.node = it->get<std::string>();
  return r;
}

Result<Assignment> ParseAssignment(const nlohmann::json& j) {
  if (!j.is_object()) return Bad("start[]", "must be an object");
  Assignment a;
  AVA_ASSIGN_OR_RETURN(a.job_id, GetId(j, "job_id"));
  auto spec = j.find("spec");
  if (spec == j.end() || !spec->is_object()) return Bad("spec", "must be the job spec as a JSON object");
  a.spec = *spec;
  if (auto it = j.find("gpus"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("gpus", "must be a list of GPU indices");
    for (const auto& g : *it) {
      if (!g.is_number_integer() || g.get<int64_t>() < 0) return Bad("gpus", "must be a list of GPU indices");
      a.gpus.push_back(g.get<int>());
    }
  }
  if (auto it = j.find("visible_devices"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Bad("visible_devices", "must be a string such as \"0,1\"");
    a.visible_devices = it->get<std::string>();
  }
  if (auto it = j.find("member"); it != j.end() && it->is_number_integer()) a.member = it->get<int>();
  if (auto it = j.find("gpu_milli"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 1000) {
      return Bad("gpu_milli", "must be 1..1000");
    }
    a.gpu_milli = it->get<int>();
  }
  if (auto it = j.find("gang_size"); it != j.end() && it->is_number_integer()) a.gang_size = it->get<int>();
  if (a.gang_size < 1 || a.member < 0 || a.member >= a.gang_size) {
    return Bad("member", fmt::format("{} is not a rank of a gang of {}", a.member, a.gang_size));
  }
  if (auto it = j.find("env"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("env", "must be a mapping");
    for (auto& [k, v] : it->items()) {
      if (!v.is_string()) return Bad("env." + k, "must be a string");
      a.env[k] = v.get<std::string>();
    }
  }
  return a;
}

nlohmann::json AssignmentJson(const Assignment& a) {
  return {{"job_id", a.job_id},       {"spec", a.spec},
          {"gpus", a.gpus},           {"visible_devices", a.visible_devices},
          {"member", a.member},       {"gang_size", a.gang_size},
          {"gpu_milli", a.gpu_milli}, {"env", a.env}};
}

Result<HeartbeatReply> ParseHeartbeatReply(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("avad's heartbeat answer is not a JSON object");
  HeartbeatReply r;
  if (auto it = j.find("start"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("start", "must be a list");
    for (const auto& s : *it) {
      AVA_ASSIGN_OR_RETURN(Assignment a, ParseAssignment(s));
      r.start.push_back(std::move(a));
    }
  }
  if (auto it = j.find("kill"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("kill", "must be a list");
    for (const auto& k : *it) {
      if (!k.is_object()) return Bad("kill[]", "must be an object");
      KillOrder o;
      AVA_ASSIGN_OR_RETURN(o.job_id, GetId(k, "job_id"));
      if (auto reason = k.find("reason"); reason != k.end() && reason->is_string())
        o.reason = reason->get<std::string>();
      r.kill.push_back(std::move(o));
    }
  }
  return r;
}

}  // namespace ava::agent
