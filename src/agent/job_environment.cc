#include "agent/job_environment.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace ava::agent {

std::string VisibleDevices(const Assignment& a) {
  if (!a.visible_devices.empty()) return a.visible_devices;
  std::string out;
  for (size_t i = 0; i < a.gpus.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += std::to_string(a.gpus[i]);
  }
  return out;
}

EnvMap PassthroughEnv(const char* const* environ) {
  static constexpr std::array<std::string_view, 9> kKeep = {"PATH", "HOME",   "USER", "LOGNAME", "SHELL",
                                                            "LANG", "LC_ALL", "TZ",   "TMPDIR"};
  EnvMap out;
  for (const char* const* e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = kv.substr(0, eq);
    for (std::string_view k : kKeep) {
      if (name == k) out[std::string(name)] = std::string(kv.substr(eq + 1));
    }
  }
  if (!out.count("PATH")) out["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  return out;
}

EnvMap ComposeJobEnv(const JobEnvInputs& in) {
  EnvMap env = in.base;
  for (const auto& [k, v] : in.spec_env) env[k] = v;
  if (in.assignment != nullptr) {
    for (const auto& [k, v] : in.assignment->env) env[k] = v;
  }
  const std::string devices = in.assignment != nullptr ? VisibleDevices(*in.assignment) : std::string();
  env["CUDA_VISIBLE_DEVICES"] = devices;
  env["NVIDIA_VISIBLE_DEVICES"] = devices.empty() ? "none" : devices;
  env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID";
  env["AVA_GPUS"] = devices;
  env["AVA_NODE"] = in.node;
  env["AVA_JOB_NAME"] = in.job_name;
  env["AVA_JOB_DIR"] = in.job_dir;
  if (in.assignment != nullptr) {
    env["AVA_JOB_ID"] = std::to_string(in.assignment->job_id);
    env["AVA_GANG_MEMBER"] = std::to_string(in.assignment->member);
    env["AVA_GANG_SIZE"] = std::to_string(in.assignment->gang_size);
    env["AVA_GPU_MILLI"] = std::to_string(in.assignment->gpu_milli);
  }
  if (in.mounts != nullptr) {
    for (const MountBinding& m : *in.mounts) env[m.env_name] = m.link_path.empty() ? m.path : m.link_path;
  }
  return env;
}

std::vector<std::string> EnvStrings(const EnvMap& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(fmt::format("{}={}", k, v));
  return out;
}

}  // namespace ava::agent
