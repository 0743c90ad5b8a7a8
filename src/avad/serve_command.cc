// `avad serve` (also plain `avad`): the control plane until SIGINT or SIGTERM.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>

#include "api/api_server.h"
#include "api/bootstrap.h"
#include "avad/commands.h"
#include "common/http_server.h"

namespace ava::avad {

int Serve(const AvadCommandLine& flags) {
  Result<AvadConfig> config = flags.Resolve();
  if (!config.ok()) {
    fmt::print(stderr, "avad: {}\n", config.status().message());
    return 2;
  }
  // Signals are taken by sigwait below; block them before any thread starts so none receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SystemClock clock;
  MetricsRegistry metrics;
  Result<Opened> opened = OpenFromConfig(*config, &clock, &metrics);
  if (!opened.ok()) {
    fmt::print(stderr, "avad: {}\n", opened.status().ToString());
    return 1;
  }
  Logger* logger = opened->logger.get();
  Result<std::optional<std::string>> admin = api::EnsureAdmin(*opened->store, config->admin);
  if (!admin.ok()) {
    fmt::print(stderr, "avad: creating the first admin: {}\n", admin.status().ToString());
    return 1;
  }
  if (admin->has_value()) {
    fmt::print("created admin '{}'; its token (shown once; `ava login` stores it):\n{}\n", config->admin,
               **admin);
    std::fflush(stdout);
  }

  api::ApiServerOptions options;
  options.plane.node_timeout = config->node_timeout;
  options.plane.heartbeat_interval = config->heartbeat_interval;
  options.plane.start_timeout = config->start_timeout;
  options.plane.requeue_preempted = config->requeue_preempted;
  options.policy = config->scheduler_policy;
  options.tick_interval = std::chrono::duration_cast<std::chrono::milliseconds>(config->schedule_interval);
  Result<std::unique_ptr<api::ApiServer>> server =
      api::ApiServer::Create(*opened->store, clock, options, logger, &metrics);
  if (!server.ok()) {
    fmt::print(stderr, "avad: {}\n", server.status().ToString());
    return 1;
  }
  std::string host;
  int port = 0;
  ParseHostPort(config->listen, &host, &port).IgnoreError();  // Validate() checked it
  Result<int> bound = (*server)->Start(host, port);
  if (!bound.ok()) {
    fmt::print(stderr, "avad: {}\n", bound.status().ToString());
    return 1;
  }
  AVA_LOG(logger, kInfo, "avad", "serving on {}:{} (database {}, policy {})", host, *bound,
          config->db.empty() ? config->DatabaseUrl() : "from config", config->scheduler_policy);
  int sig = 0;
  sigwait(&signals, &sig);
  AVA_LOG(logger, kInfo, "avad", "signal {}: stopping", sig);
  (*server)->Stop();
  return 0;
}

Command RegisterServe(CLI::App& app, const AvadCommandLine& flags) {
  app.add_subcommand("serve", "Serve the REST API and run the scheduler (the default command).");
  return [&flags]() { return Serve(flags); };
}

}  // namespace ava::avad
