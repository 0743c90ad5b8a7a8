#include "api/assignment.h"

#include <fmt/format.h>

namespace ava::api {

std::string MemberAssignment::VisibleDevices() const { return fmt::format("{}", fmt::join(gpus, ",")); }

nlohmann::json AssignmentToJson(const Assignment& a) {
  nlohmann::json members = nlohmann::json::array();
  for (const MemberAssignment& m : a.members) {
    members.push_back({{"rank", m.rank},
                       {"node", m.node},
                       {"gpus", m.gpus},
                       {"gpu_milli", m.gpu_milli},
                       {"cpu_milli", m.cpu_milli},
                       {"memory_bytes", m.memory_bytes}});
  }
  return {{"members", std::move(members)}};
}

std::string AssignmentToText(const Assignment& a) { return AssignmentToJson(a).dump(); }

Result<Assignment> ParseAssignment(std::string_view text) {
  Assignment out;
  if (text.empty()) return out;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    for (const nlohmann::json& m : j.at("members")) {
      MemberAssignment a;
      a.rank = m.at("rank").get<int>();
      a.node = m.at("node").get<std::string>();
      a.gpus = m.at("gpus").get<std::vector<int>>();
      a.gpu_milli = m.at("gpu_milli").get<int>();
      a.cpu_milli = m.at("cpu_milli").get<int64_t>();
      a.memory_bytes = m.at("memory_bytes").get<uint64_t>();
      out.members.push_back(std::move(a));
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("a stored job assignment is malformed: {}", e.what()));
  }
  return out;
}

}  // namespace ava::api
