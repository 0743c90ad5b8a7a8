// The avad command line: `avad [serve]` runs the control plane, `avad init` creates the first
// admin, `avad node-token NODE` makes an agent token. Options common to all commands (the config
// file, the database) live on the main app; AvadCommandLine collects them and turns them into a
// validated AvadConfig, a logger and an open store. Each Register* adds its subcommand and returns
// the function that runs it (the process's exit code: 0 ok, 1 failure, 2 bad usage).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "avad/avad_config.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/result.h"
#include "db/store.h"

namespace ava::avad {

using Command = std::function<int()>;

// Flags shared by every command; they override the config file.
struct AvadCommandLine {
  std::string config_file;
  std::string db;
  std::string state_dir;
  std::string listen;
  std::string node_timeout;
  std::string heartbeat_interval;
  std::string start_timeout;
  std::string schedule_interval;
  std::string scheduler_policy;
  std::string log_level;
  std::string log_file;

  void Bind(CLI::App& app);
  // Defaults, then the file, then the flags; validated.
  Result<AvadConfig> Resolve() const;
};

// What every command opens: the logger and the store (migrated) of `config`.
struct Opened {
  std::unique_ptr<Logger> logger;
  std::unique_ptr<db::Store> store;
};
Result<Opened> OpenFromConfig(const AvadConfig& config, Clock* clock, MetricsRegistry* metrics);

Command RegisterServe(CLI::App& app, const AvadCommandLine& flags);
Command RegisterInit(CLI::App& app, const AvadCommandLine& flags);
Command RegisterNodeToken(CLI::App& app, const AvadCommandLine& flags);

}  // namespace ava::avad
