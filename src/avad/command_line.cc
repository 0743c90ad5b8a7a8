#include <fmt/format.h>

#include "avad/commands.h"
#include "common/file_util.h"
#include "common/units.h"
#include "db/open_store.h"

namespace ava::avad {

void AvadCommandLine::Bind(CLI::App& app) {
  app.add_option("-c,--config", config_file, "YAML config file (docs/avad.md lists the keys)");
  app.add_option("--db", db, "database URL: sqlite:///path/ava.db, sqlite::memory:, postgres://user@host/db")
      ->group("Storage");
  app.add_option("--state-dir", state_dir,
                 "directory for avad's own files; the default database is <dir>/ava.db")
      ->group("Storage");
  app.add_option("--listen", listen, "host:port to serve the REST API on (default 0.0.0.0:7070)")
      ->group("Serving");
  app.add_option("--node-timeout", node_timeout,
                 "a node silent this long is down; its jobs are lost (default 30s)")
      ->group("Serving");
  app.add_option("--heartbeat-interval", heartbeat_interval,
                 "how often agents are told to heartbeat (default 5s)")
      ->group("Serving");
  app.add_option("--start-timeout", start_timeout,
                 "a start an agent never acknowledges within this is lost (default 2m)")
      ->group("Serving");
  app.add_option("--schedule-interval", schedule_interval,
                 "period of the scheduling tick: timeouts, max_runtime, idle workspaces, a pass (default 2s)")
      ->group("Serving");
  app.add_option(
         "--scheduler-policy", scheduler_policy,
         "GPU placement policy: ava, fgd, topology, gpu-packing, best-fit, first-fit, … (default ava)")
      ->group("Serving");
  app.add_option("--log-level", log_level, "debug, info, warn or error (default info)")->group("Logging");
  app.add_option("--log-file", log_file, "append log lines here instead of stderr")->group("Logging");
}

Result<AvadConfig> AvadCommandLine::Resolve() const {
  AvadConfig c;
  if (!config_file.empty()) AVA_RETURN_IF_ERROR(LoadAvadConfig(config_file, &c));
  auto duration = [](const std::string& flag, const std::string& text, Nanos* out) -> Status {
    if (text.empty()) return Status::OK();
    Result<Nanos> d = ParseDuration(text);
    if (!d.ok()) return d.status().Annotate(flag);
    *out = *d;
    return Status::OK();
  };
  if (!db.empty()) c.db = db;
  if (!state_dir.empty()) c.state_dir = state_dir;
  if (!listen.empty()) c.listen = listen;
  AVA_RETURN_IF_ERROR(duration("--node-timeout", node_timeout, &c.node_timeout));
  AVA_RETURN_IF_ERROR(duration("--heartbeat-interval", heartbeat_interval, &c.heartbeat_interval));
  AVA_RETURN_IF_ERROR(duration("--start-timeout", start_timeout, &c.start_timeout));
  AVA_RETURN_IF_ERROR(duration("--schedule-interval", schedule_interval, &c.schedule_interval));
  if (!scheduler_policy.empty()) c.scheduler_policy = scheduler_policy;
  if (!log_level.empty() && !ParseLogLevel(log_level, &c.log_level)) {
    return Status::InvalidArgument(
        fmt::format("--log-level '{}' is not debug, info, warn or error", log_level));
  }
  if (!log_file.empty()) c.log_file = log_file;
  AVA_RETURN_IF_ERROR(c.Validate());
  return c;
}

Result<Opened> OpenFromConfig(const AvadConfig& config, Clock* clock, MetricsRegistry* metrics) {
  Opened out;
  if (config.log_file.empty()) {
    out.logger = std::make_unique<StderrLogger>(config.log_level);
  } else {
    out.logger = std::make_unique<FileLogger>(config.log_file, config.log_level);
  }
  if (config.db.empty()) {
    Status made = MakeDirs(config.state_dir, 0700);
    if (!made.ok()) return made.Annotate(fmt::format("state_dir {}", config.state_dir));
  }
  db::StoreOptions options;
  options.clock = clock;
  options.logger = out.logger.get();
  options.metrics = metrics;
  Result<std::unique_ptr<db::Store>> store = db::OpenStore(config.DatabaseUrl(), options);
  if (!store.ok()) return store.status().Annotate("opening the database");
  out.store = std::move(store).value();
  return out;
}

}  // namespace ava::avad
