#include "agent/launch_plan.h"

#include <fmt/format.h>

#include <set>

namespace ava::agent {

Result<LaunchPlan> BuildLaunchPlan(const LaunchInputs& in) {
  const Assignment& a = *in.assignment;
  AVA_ASSIGN_OR_RETURN(JobSpec spec, ParseJobSpec(a.spec));
  std::set<int> seen;
  for (int g : a.gpus) {
    if (g < 0 || g >= in.node_gpu_count) {
      return Status::InvalidArgument(
          fmt::format("GPU {} is not on node {}, which has {} GPU(s)", g, in.node, in.node_gpu_count));
    }
    if (!seen.insert(g).second) return Status::InvalidArgument(fmt::format("GPU {} is assigned twice", g));
  }

  LaunchPlan p;
  p.job_id = a.job_id;
  p.member = a.member;
  p.kind = spec.kind;
  p.namespace_mounts = in.mode == MountMode::kNamespace;
  p.kill_grace = in.kill_grace;
  p.max_runtime = spec.max_runtime;
  const bool symlinks = !p.namespace_mounts;
  AVA_ASSIGN_OR_RETURN(p.mounts,
                       ResolveMounts(spec.mounts, in.tree_root, symlinks ? in.job_dir + "/root" : ""));
  auto rewrite = [&](const std::string& s) { return symlinks ? RewriteWords(s, p.mounts) : s; };

  if (spec.workdir.empty()) {
    p.workdir = in.job_dir + "/work";
  } else {
    p.workdir = symlinks ? RewritePath(spec.workdir, p.mounts) : spec.workdir;
  }
  if (spec.uses_shell()) {
    p.argv = {"/bin/sh", "-c", rewrite(spec.shell)};
  } else {
    for (const std::string& arg : spec.argv) p.argv.push_back(rewrite(arg));
  }
  EnvMap spec_env;
  for (const auto& [k, v] : spec.env) spec_env[k] = rewrite(v);

  JobEnvInputs env_in;
  env_in.base = in.base_env;
  env_in.assignment = &a;
  env_in.job_name = spec.name;
  env_in.spec_env = std::move(spec_env);
  env_in.node = in.node;
  env_in.job_dir = in.job_dir;
  env_in.mounts = &p.mounts;
  p.env = ComposeJobEnv(env_in);

  if (!spec.report.empty()) {
    // Resolved from the paths as the job names them, so both modes read the file at its source.
    p.report_job_path = spec.report;
    const std::string workdir_host =
        HostPathOf(spec.workdir.empty() ? p.workdir : spec.workdir, p.mounts, "/");
    p.report_host_path = HostPathOf(spec.report, p.mounts, workdir_host);
  }
  return p;
}

nlohmann::json LaunchPlanJson(const LaunchPlan& p) {
  nlohmann::json mounts = nlohmann::json::array();
  for (const MountBinding& m : p.mounts) {
    mounts.push_back({{"path", m.path},
                      {"host_path", m.host_path},
                      {"link_path", m.link_path},
                      {"readonly", m.readonly},
                      {"env_name", m.env_name}});
  }
  return {{"job_id", p.job_id},
          {"member", p.member},
          {"kind", p.kind},
          {"argv", p.argv},
          {"env", p.env},
          {"workdir", p.workdir},
          {"namespace_mounts", p.namespace_mounts},
          {"mounts", mounts},
          {"report_host_path", p.report_host_path},
          {"report_job_path", p.report_job_path},
          {"max_runtime_ns", p.max_runtime.count()},
          {"kill_grace_ns", p.kill_grace.count()}};
}

Result<LaunchPlan> ParseLaunchPlan(const nlohmann::json& j) {
  // Written by this program; a type error means a damaged file, reported as such.
  try {
    LaunchPlan p;
    p.job_id = j.at("job_id").get<JobId>();
    p.member = j.value("member", 0);
    p.kind = j.value("kind", std::string("job"));
    p.argv = j.at("argv").get<std::vector<std::string>>();
    p.env = j.at("env").get<EnvMap>();
    p.workdir = j.at("workdir").get<std::string>();
    p.namespace_mounts = j.at("namespace_mounts").get<bool>();
    for (const auto& m : j.at("mounts")) {
      MountBinding b;
      b.path = m.at("path").get<std::string>();
      b.host_path = m.at("host_path").get<std::string>();
      b.link_path = m.at("link_path").get<std::string>();
      b.readonly = m.at("readonly").get<bool>();
      b.env_name = m.at("env_name").get<std::string>();
      p.mounts.push_back(std::move(b));
    }
    p.report_host_path = j.at("report_host_path").get<std::string>();
    p.report_job_path = j.at("report_job_path").get<std::string>();
    p.max_runtime = Nanos(j.at("max_runtime_ns").get<int64_t>());
    p.kill_grace = Nanos(j.at("kill_grace_ns").get<int64_t>());
    if (p.argv.empty()) return Status::Corruption("launch plan has no command");
    return p;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(fmt::format("launch plan: {}", e.what()));
  }
}

}  // namespace ava::agent
