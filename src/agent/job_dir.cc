#include "agent/job_dir.h"

#include <fmt/format.h>

#include "common/file_util.h"

namespace ava::agent {

Result<std::optional<nlohmann::json>> JobDir::ReadJson(const char* name) const {
  const std::string path = File(name);
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::optional<nlohmann::json>();
    return text.status().Annotate(path);
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(fmt::format("{}: not valid JSON", path));
  return std::optional<nlohmann::json>(std::move(j));
}

Status JobDir::WriteJson(const char* name, const nlohmann::json& j) const {
  return WriteFileAtomic(File(name), DumpJson(j) + "\n");
}

Status JobDir::WriteAssignment(const Assignment& a) const {
  return WriteJson("assignment.json", AssignmentJson(a));
}

Result<std::optional<Assignment>> JobDir::ReadAssignment() const {
  AVA_ASSIGN_OR_RETURN(std::optional<nlohmann::json> j, ReadJson("assignment.json"));
  if (!j) return std::optional<Assignment>();
  Result<Assignment> a = ParseAssignment(*j);
  if (!a.ok())
    return Status::Corruption(fmt::format("{}: {}", File("assignment.json"), a.status().message()));
  return std::optional<Assignment>(std::move(*a));
}

Status JobDir::WriteLaunch(const LaunchPlan& p) const { return WriteJson("launch.json", LaunchPlanJson(p)); }

Result<std::optional<LaunchPlan>> JobDir::ReadLaunch() const {
  AVA_ASSIGN_OR_RETURN(std::optional<nlohmann::json> j, ReadJson("launch.json"));
  if (!j) return std::optional<LaunchPlan>();
  AVA_ASSIGN_OR_RETURN(LaunchPlan p, ParseLaunchPlan(*j));
  return std::optional<LaunchPlan>(std::move(p));
}

Status JobDir::WriteSupervisor(const SupervisorRecord& r) const {
  return WriteJson("supervisor.json", {{"supervisor_pid", r.supervisor.pid},
                                       {"supervisor_start", r.supervisor.start_ticks},
                                       {"job_pid", r.job.pid},
                                       {"job_start", r.job.start_ticks},
                                       {"started_ns", r.started.count()}});
}

Result<std::optional<SupervisorRecord>> JobDir::ReadSupervisor() const {
  AVA_ASSIGN_OR_RETURN(std::optional<nlohmann::json> j, ReadJson("supervisor.json"));
  if (!j) return std::optional<SupervisorRecord>();
  try {
    SupervisorRecord r;
    r.supervisor = {j->at("supervisor_pid").get<pid_t>(), j->at("supervisor_start").get<uint64_t>()};
    r.job = {j->at("job_pid").get<pid_t>(), j->at("job_start").get<uint64_t>()};
    r.started = Nanos(j->at("started_ns").get<int64_t>());
    return std::optional<SupervisorRecord>(r);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(fmt::format("{}: {}", File("supervisor.json"), e.what()));
  }
}

Status JobDir::WriteExit(const ExitRecord& r) const {
  nlohmann::json j = FinishedJobJson(r.result);
  j["finished_ns"] = r.finished.count();
  return WriteJson("exit.json", j);
}

Result<std::optional<ExitRecord>> JobDir::ReadExit() const {
  AVA_ASSIGN_OR_RETURN(std::optional<nlohmann::json> j, ReadJson("exit.json"));
  if (!j) return std::optional<ExitRecord>();
  Result<FinishedJob> f = ParseFinishedJob(*j);
  if (!f.ok()) return Status::Corruption(fmt::format("{}: {}", File("exit.json"), f.status().message()));
  ExitRecord r;
  r.result = std::move(*f);
  if (auto it = j->find("finished_ns"); it != j->end() && it->is_number_integer()) {
    r.finished = Nanos(it->get<int64_t>());
  }
  return std::optional<ExitRecord>(std::move(r));
}

Status JobDir::WriteShipped(uint64_t offset) const {
  return WriteFileAtomic(File("shipped"), fmt::format("{}\n", offset));
}

Result<uint64_t> JobDir::ReadShipped() const {
  Result<std::string> text = ReadFile(File("shipped"));
  if (!text.ok()) {
    if (text.status().IsNotFound()) return uint64_t{0};
    return text.status();
  }
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text->c_str(), &end, 10);
  if (end == text->c_str()) return Status::Corruption(fmt::format("{}: not an offset", File("shipped")));
  return static_cast<uint64_t>(v);
}

Status JobDir::WriteKill(const std::string& reason) const {
  return WriteJson("kill.json", {{"reason", reason}});
}

Result<std::optional<std::string>> JobDir::ReadKill() const {
  AVA_ASSIGN_OR_RETURN(std::optional<nlohmann::json> j, ReadJson("kill.json"));
  if (!j) return std::optional<std::string>();
  auto it = j->find("reason");
  return std::optional<std::string>(it != j->end() && it->is_string() ? it->get<std::string>() : "");
}

}  // namespace ava::agent
