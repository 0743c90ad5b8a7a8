#include "cli/client_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "common/file_util.h"
#include "common/yaml_config.h"

namespace ava::cli {

CliEnvironment CliEnvironment::FromProcess() {
  CliEnvironment env;
  for (const char* name : {"HOME", "XDG_CONFIG_HOME", "AVA_CONFIG", "AVA_SERVER", "AVA_TOKEN"}) {
    const char* v = std::getenv(name);
    if (v != nullptr) env.vars[name] = v;
  }
  return env;
}

std::string ClientConfigPath(const CliEnvironment& env) {
  if (!env.Get("AVA_CONFIG").empty()) return env.Get("AVA_CONFIG");
  if (!env.Get("XDG_CONFIG_HOME").empty()) return env.Get("XDG_CONFIG_HOME") + "/ava/config.yaml";
  return (env.Get("HOME").empty() ? std::string(".") : env.Get("HOME")) + "/.config/ava/config.yaml";
}

Result<ClientConfig> LoadClientConfig(const std::string& path) {
  AVA_ASSIGN_OR_RETURN(YamlDoc doc, LoadYamlFile(path));
  ClientConfig c;
  if (doc.root.IsNull()) return c;
  try {
    AVA_RETURN_IF_ERROR(CheckKeys(doc, doc.root, {"server", "token"}));
    AVA_ASSIGN_OR_RETURN(c.server, GetString(doc, doc.root, "server", std::string()));
    AVA_ASSIGN_OR_RETURN(c.token, GetString(doc, doc.root, "token", std::string()));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", path, e.msg));
  }
  return c;
}

Status SaveClientConfig(const std::string& path, const ClientConfig& config) {
  AVA_RETURN_IF_ERROR(MakeDirs(DirName(path), 0700));
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "server" << YAML::Value << config.server << YAML::Key << "token"
      << YAML::Value << config.token << YAML::EndMap;
  std::string text = std::string(out.c_str()) + "\n";
  return WriteFileAtomic(path, text, 0600);
}

}  // namespace ava::cli
