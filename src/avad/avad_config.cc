#include "avad/avad_config.h"

#include <fmt/format.h>

#include "common/http_server.h"
#include "common/yaml_config.h"
#include "sched/policy_factory.h"

namespace ava::avad {

std::string AvadConfig::DatabaseUrl() const {
  if (!db.empty()) return db;
  return fmt::format("sqlite://{}/ava.db", state_dir);
}

Status AvadConfig::Validate() const {
  std::string host;
  int port = 0;
  Status s = ParseHostPort(listen, &host, &port);
  if (!s.ok()) return s.Annotate("listen");
  if (db.empty() && state_dir.empty())
    return Status::InvalidArgument("state_dir: give a directory, or give db");
  if (node_timeout.count() <= 0) return Status::InvalidArgument("node_timeout must be more than 0");
  if (heartbeat_interval.count() <= 0)
    return Status::InvalidArgument("heartbeat_interval must be more than 0");
  if (node_timeout <= heartbeat_interval) {
    return Status::InvalidArgument(
        "node_timeout must be longer than heartbeat_interval (a node would be declared down between two "
        "heartbeats)");
  }
  if (start_timeout.count() <= 0) return Status::InvalidArgument("start_timeout must be more than 0");
  if (schedule_interval.count() <= 0) return Status::InvalidArgument("schedule_interval must be more than 0");
  bool known = false;
  for (std::string_view p : sched::PolicyNames()) known |= p == scheduler_policy;
  if (!known) {
    return Status::InvalidArgument(fmt::format("scheduler_policy '{}' is not one of: {}", scheduler_policy,
                                               fmt::join(sched::PolicyNames(), ", ")));
  }
  return Status::OK();
}

Status LoadAvadConfig(const std::string& path, AvadConfig* c) {
  AVA_ASSIGN_OR_RETURN(YamlDoc doc, LoadYamlFile(path));
  if (doc.root.IsNull()) return Status::OK();  // an empty file: all defaults
  try {
    AVA_RETURN_IF_ERROR(CheckKeys(
        doc, doc.root,
        {"listen", "state_dir", "db", "node_timeout", "heartbeat_interval", "start_timeout",
         "schedule_interval", "scheduler_policy", "requeue_preempted", "admin", "log_level", "log_file"}));
    AVA_ASSIGN_OR_RETURN(c->listen, GetString(doc, doc.root, "listen", c->listen));
    AVA_ASSIGN_OR_RETURN(c->state_dir, GetString(doc, doc.root, "state_dir", c->state_dir));
    AVA_ASSIGN_OR_RETURN(c->db, GetString(doc, doc.root, "db", c->db));
    AVA_ASSIGN_OR_RETURN(c->node_timeout, GetDuration(doc, doc.root, "node_timeout", c->node_timeout));
    AVA_ASSIGN_OR_RETURN(c->heartbeat_interval,
                         GetDuration(doc, doc.root, "heartbeat_interval", c->heartbeat_interval));
    AVA_ASSIGN_OR_RETURN(c->start_timeout, GetDuration(doc, doc.root, "start_timeout", c->start_timeout));
    AVA_ASSIGN_OR_RETURN(c->schedule_interval,
                         GetDuration(doc, doc.root, "schedule_interval", c->schedule_interval));
    AVA_ASSIGN_OR_RETURN(c->scheduler_policy,
                         GetString(doc, doc.root, "scheduler_policy", c->scheduler_policy));
    AVA_ASSIGN_OR_RETURN(c->requeue_preempted,
                         GetBool(doc, doc.root, "requeue_preempted", c->requeue_preempted));
    AVA_ASSIGN_OR_RETURN(c->admin, GetString(doc, doc.root, "admin", c->admin));
    AVA_ASSIGN_OR_RETURN(c->log_file, GetString(doc, doc.root, "log_file", c->log_file));
    AVA_ASSIGN_OR_RETURN(std::string level, GetString(doc, doc.root, "log_level", std::string()));
    if (!level.empty() && !ParseLogLevel(level, &c->log_level)) {
      return YamlError(doc, doc.root["log_level"],
                       fmt::format("log_level '{}' is not debug, info, warn or error", level));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  Status valid = c->Validate();
  if (!valid.ok()) return valid.Annotate(path);
  return Status::OK();
}

}  // namespace ava::avad
