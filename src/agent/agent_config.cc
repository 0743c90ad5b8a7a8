#include "agent/agent_config.h"

#include <fmt/format.h>
#include <unistd.h>

#include "common/file_util.h"
#include "common/units.h"
#include "common/yaml_config.h"

namespace ava::agent {

Result<MountMode> ParseMountMode(std::string_view text) {
  if (text == "auto") return MountMode::kAuto;
  if (text == "namespace") return MountMode::kNamespace;
  if (text == "symlink") return MountMode::kSymlink;
  return Status::InvalidArgument(fmt::format("mount mode '{}' is not auto, namespace or symlink", text));
}

std::string_view MountModeName(MountMode m) {
  switch (m) {
    case MountMode::kAuto:
      return "auto";
    case MountMode::kNamespace:
      return "namespace";
    case MountMode::kSymlink:
      return "symlink";
  }
  return "auto";
}

Status AgentConfig::Finish() {
  if (node.empty() || address.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof(host) - 1) != 0) return Status::FromErrno(errno, "gethostname");
    if (node.empty()) node = host;
    if (address.empty()) address = host;
  }
  if (server.empty()) return Status::InvalidArgument("no avad server: set 'server' or --server");
  if (server.rfind("http://", 0) != 0 && server.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(fmt::format("server '{}' must start with http:// or https://", server));
  }
  while (server.size() > 8 && server.back() == '/') server.pop_back();
  if (state_dir.empty()) return Status::InvalidArgument("no state directory: set 'state_dir' or --state-dir");
  if (heartbeat_interval < Nanos(0))
    return Status::InvalidArgument("heartbeat_interval must not be negative");
  if (kill_grace < Nanos(0)) return Status::InvalidArgument("kill_grace must not be negative");
  if (log_batch_bytes < 1024) return Status::InvalidArgument("log_batch must be at least 1KiB");
  if (avafs.managed() && avafs.mount_point.empty()) {
    return Status::InvalidArgument("avafs has a mount table but no mount_point");
  }
  if (!avafs.table_yaml.empty() && !avafs.table_file.empty()) {
    return Status::InvalidArgument("avafs: give either 'table' or 'table_file', not both");
  }
  if (!avafs.mount_point.empty() && avafs.mount_point[0] != '/') {
    return Status::InvalidArgument(fmt::format("avafs.mount_point '{}' must be absolute", avafs.mount_point));
  }
  return Status::OK();
}

Result<AgentConfig> ParseAgentConfig(const std::string& text, std::string source) {
  AVA_ASSIGN_OR_RETURN(YamlDoc doc, ParseYaml(text, std::move(source)));
  AgentConfig c;
  try {
    if (doc.root.IsNull()) return c;
    if (!doc.root.IsMap()) return YamlError(doc, doc.root, "the agent config is a mapping of settings");
    AVA_RETURN_IF_ERROR(CheckKeys(doc, doc.root,
                                  {"server", "token_file", "node", "address", "inventory", "nvml_library",
                                   "gpu_model", "state_dir", "heartbeat_interval", "kill_grace", "log_batch",
                                   "mount_mode", "avafs", "metrics_address", "log_level", "log_file"}));
    AVA_ASSIGN_OR_RETURN(c.server, GetString(doc, doc.root, "server", c.server));
    AVA_ASSIGN_OR_RETURN(c.token_file, GetString(doc, doc.root, "token_file", c.token_file));
    AVA_ASSIGN_OR_RETURN(c.node, GetString(doc, doc.root, "node", c.node));
    AVA_ASSIGN_OR_RETURN(c.address, GetString(doc, doc.root, "address", c.address));
    AVA_ASSIGN_OR_RETURN(c.inventory, GetString(doc, doc.root, "inventory", c.inventory));
    AVA_ASSIGN_OR_RETURN(c.nvml_library, GetString(doc, doc.root, "nvml_library", c.nvml_library));
    AVA_ASSIGN_OR_RETURN(c.gpu_model, GetString(doc, doc.root, "gpu_model", c.gpu_model));
    AVA_ASSIGN_OR_RETURN(c.state_dir, GetString(doc, doc.root, "state_dir", c.state_dir));
    AVA_ASSIGN_OR_RETURN(c.heartbeat_interval,
                         GetDuration(doc, doc.root, "heartbeat_interval", c.heartbeat_interval));
    AVA_ASSIGN_OR_RETURN(c.kill_grace, GetDuration(doc, doc.root, "kill_grace", c.kill_grace));
    AVA_ASSIGN_OR_RETURN(c.log_batch_bytes, GetBytes(doc, doc.root, "log_batch", c.log_batch_bytes));
    AVA_ASSIGN_OR_RETURN(c.log_file, GetString(doc, doc.root, "log_file", c.log_file));
    AVA_ASSIGN_OR_RETURN(c.metrics_address, GetString(doc, doc.root, "metrics_address", c.metrics_address));
    AVA_ASSIGN_OR_RETURN(std::string mode, GetString(doc, doc.root, "mount_mode", std::string("auto")));
    Result<MountMode> parsed_mode = ParseMountMode(mode);
    if (!parsed_mode.ok()) return YamlError(doc, doc.root["mount_mode"], parsed_mode.status().message());
    c.mount_mode = *parsed_mode;
    AVA_ASSIGN_OR_RETURN(std::string level, GetString(doc, doc.root, "log_level", std::string("info")));
    if (!ParseLogLevel(level, &c.log_level)) {
      return YamlError(doc, doc.root["log_level"],
                       fmt::format("'{}' is not debug, info, warn or error", level));
    }
    const YAML::Node avafs = doc.root["avafs"];
    if (avafs.IsDefined() && !avafs.IsNull()) {
      if (!avafs.IsMap()) return YamlError(doc, avafs, "'avafs' is a mapping");
      AVA_RETURN_IF_ERROR(
          CheckKeys(doc, avafs, {"binary", "mount_point", "table", "table_file", "health_interval"}));
      AVA_ASSIGN_OR_RETURN(c.avafs.binary, GetString(doc, avafs, "binary", c.avafs.binary));
      AVA_ASSIGN_OR_RETURN(c.avafs.mount_point, GetString(doc, avafs, "mount_point", c.avafs.mount_point));
      AVA_ASSIGN_OR_RETURN(c.avafs.table_file, GetString(doc, avafs, "table_file", c.avafs.table_file));
      AVA_ASSIGN_OR_RETURN(c.avafs.health_interval,
                           GetDuration(doc, avafs, "health_interval", c.avafs.health_interval));
      const YAML::Node table = avafs["table"];
      if (table.IsDefined() && !table.IsNull()) {
        if (!table.IsMap()) return YamlError(doc, table, "'avafs.table' is an avafs mount table (a mapping)");
        YAML::Emitter out;
        out << table;
        c.avafs.table_yaml = out.c_str();
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", doc.source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  return c;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().Annotate(path);
  return ParseAgentConfig(*text, path);
}

}  // namespace ava::agent
