// ava-agent: the node agent. See `ava-agent --help` and docs/agent.md.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "agent/avad_client.h"
#include "agent/avafs_daemon.h"
#include "agent/inventory_json.h"
#include "agent/job_environment.h"
#include "agent/job_manager.h"
#include "agent/supervisor.h"
#include "common/file_util.h"
#include "common/http_server.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/units.h"
#include "gpu/gpu_inventory.h"
#include "gpu/nvml_inventory.h"
#include "gpu/nvml_library.h"
#include "gpu/topo_matrix.h"

extern char** environ;

namespace ava::agent {
namespace {

constexpr const char* kDescription = R"(ava-agent — the Ava node agent

ava-agent runs on every machine of an Ava GPU pool. It describes the machine to avad (GPUs, their
memory and topology), heartbeats, and runs the jobs avad assigns to it: each job as its own process
group under a small supervisor that outlives the agent, with CUDA_VISIBLE_DEVICES set to exactly the
job's GPUs, its datasets mounted through the node's avafs daemon, its output shipped to avad in order,
and its exit status (or the signal that ended it) and report file sent back when it ends.

USAGE
  ava-agent [--config FILE] [flags]         run the agent (the usual case)
  ava-agent discover [flags]                print this node's inventory as the agent would send it
  ava-agent supervise JOB_DIR               internal: the supervisor of one job (started by the agent)

GPU DISCOVERY
  With --inventory FILE the node is the one named --node in that inventory file (docs/scheduler.md),
  so the agent runs on machines without an NVIDIA driver (CI, laptops, simulations). Without it the
  agent loads NVML at run time (dlopen of libnvidia-ml.so.1, no link-time dependency) and reads GPU
  count, model, memory, UUID, PCI bus id, NUMA node, the PCIe path between every pair of GPUs and the
  NVLinks between them.

CONFIGURATION
  A YAML file (--config) sets everything; flags override it. Keys (docs/agent.md has the details):
    server, token_file, node, address, inventory, nvml_library, gpu_model, state_dir,
    heartbeat_interval, kill_grace, log_batch, mount_mode, metrics_address, log_level, log_file,
    avafs: {binary, mount_point, table | table_file, health_interval}

STATE AND RESTARTS
  Everything about running jobs lives under --state-dir (jobs/<id>/: launch plan, output, exit
  status). Stopping the agent (SIGTERM) leaves jobs running; a restarted agent re-attaches to them,
  verifying their processes by pid and start time, ships the rest of their output, and reports jobs
  that ended meanwhile with their real exit status (or as lost when that cannot be known). Under
  systemd use KillMode=process so that stopping the agent does not kill its jobs.

EXIT STATUS
  0 after a clean stop (SIGTERM/SIGINT), 1 when the agent cannot start (bad config, no inventory,
  avafs does not mount), 2 for a usage error.)";

struct Flags {
  std::string config;
  std::optional<std::string> server, token_file, node, address, inventory, nvml_library, gpu_model, state_dir,
      heartbeat_interval, kill_grace, mount_mode, avafs_binary, avafs_mount_point, avafs_table_file,
      metrics_address, log_level, log_file;
};

void AddConfigFlags(CLI::App* app, Flags* f) {
  app->add_option("-c,--config", f->config, "YAML config file (see CONFIGURATION); flags override it.");
  app->add_option("--server", f->server, "avad's URL, e.g. http://avad.example:7070.");
  app->add_option("--token-file", f->token_file,
                  "File holding this node's agent token (made by `avad node-token NODE`).");
  app->add_option("--node", f->node, "This node's name in the pool (default: the host name).");
  app->add_option("--address", f->address, "The address avad shows for this node (default: the host name).");
  app->add_option("--inventory", f->inventory,
                  "Inventory file declaring this node (YAML/JSON, docs/scheduler.md); without it, NVML.");
  app->add_option("--nvml-library", f->nvml_library, "NVML library to dlopen (default libnvidia-ml.so.1).");
  app->add_option("--gpu-model", f->gpu_model,
                  "Model name to report for NVML-discovered GPUs (default: derived, e.g. V100, A100).");
  app->add_option("--state-dir", f->state_dir, "Where job state lives (default /var/lib/ava-agent).");
  app->add_option("--heartbeat-interval", f->heartbeat_interval,
                  "Time between heartbeats, e.g. 2s (default: what avad answers at register).");
  app->add_option("--kill-grace", f->kill_grace,
                  "Time between SIGTERM and SIGKILL when stopping a job (10s).");
  app->add_option("--mount-mode", f->mount_mode,
                  "How jobs see their mounts: namespace (bind mounts, needs root), symlink, or auto.");
  app->add_option("--avafs-binary", f->avafs_binary, "The avafs program (default: avafs on PATH).");
  app->add_option("--avafs-mount-point", f->avafs_mount_point, "Where the node's avafs tree is mounted.");
  app->add_option("--avafs-table", f->avafs_table_file, "avafs mount table file (docs/avafs.md).");
  app->add_option("--metrics-address", f->metrics_address, "host:port serving /metrics and /healthz.");
  app->add_option("--log-level", f->log_level, "debug, info (default), warn or error.");
  app->add_option("--log-file", f->log_file, "Append log lines to this file (default: stderr).");
}

Result<AgentConfig> BuildConfig(const Flags& f) {
  AgentConfig c;
  if (!f.config.empty()) {
    AVA_ASSIGN_OR_RETURN(c, LoadAgentConfig(f.config));
  }
  auto set = [](const std::optional<std::string>& flag, std::string* field) {
    if (flag) *field = *flag;
  };
  set(f.server, &c.server);
  set(f.token_file, &c.token_file);
  set(f.node, &c.node);
  set(f.address, &c.address);
  set(f.inventory, &c.inventory);
  set(f.nvml_library, &c.nvml_library);
  set(f.gpu_model, &c.gpu_model);
  set(f.state_dir, &c.state_dir);
  set(f.avafs_binary, &c.avafs.binary);
  set(f.avafs_mount_point, &c.avafs.mount_point);
  set(f.metrics_address, &c.metrics_address);
  set(f.log_file, &c.log_file);
  if (f.avafs_table_file) {
    c.avafs.table_file = *f.avafs_table_file;
    c.avafs.table_yaml.clear();
  }
  if (f.heartbeat_interval) {
    AVA_ASSIGN_OR_RETURN(c.heartbeat_interval, ParseDuration(*f.heartbeat_interval));
  }
  if (f.kill_grace) {
    AVA_ASSIGN_OR_RETURN(c.kill_grace, ParseDuration(*f.kill_grace));
  }
  if (f.mount_mode) {
    AVA_ASSIGN_OR_RETURN(c.mount_mode, ParseMountMode(*f.mount_mode));
  }
  if (f.log_level && !ParseLogLevel(*f.log_level, &c.log_level)) {
    return Status::InvalidArgument(
        fmt::format("--log-level '{}' is not debug, info, warn or error", *f.log_level));
  }
  return c;
}

// The GpuInventory the config asks for: a declared file, or NVML.
Result<std::unique_ptr<gpu::GpuInventory>> OpenInventory(const AgentConfig& c) {
  if (!c.inventory.empty())
    return std::unique_ptr<gpu::GpuInventory>(new gpu::FileGpuInventory(c.inventory, c.node));
  Result<std::unique_ptr<gpu::NvmlLibrary>> nvml = gpu::NvmlLibrary::Open(c.nvml_library);
  if (!nvml.ok()) {
    return nvml.status().Annotate(
        "no --inventory file was given and NVML discovery is not possible; on a machine without an NVIDIA "
        "driver declare the node in an inventory file");
  }
  gpu::NvmlDiscoveryOptions o;
  o.node_name = c.node;
  o.cpu_milli = static_cast<int64_t>(::sysconf(_SC_NPROCESSORS_ONLN)) * 1000;
  o.memory_bytes =
      static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  o.model = c.gpu_model;
  return std::unique_ptr<gpu::GpuInventory>(new gpu::NvmlGpuInventory(std::move(*nvml), o));
}

std::string SelfExe() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "/proc/self/exe";
  std::string path(buf, static_cast<size_t>(n));
  // An upgraded binary leaves the running one "(deleted)"; /proc/self/exe still execs it.
  if (path.size() > 10 && path.substr(path.size() - 10) == " (deleted)") return "/proc/self/exe";
  return path;
}

int RunAgent(const Flags& flags) {
  Result<AgentConfig> built = BuildConfig(flags);
  if (!built.ok()) {
    fmt::print(stderr, "ava-agent: {}\n", built.status().message());
    return 2;
  }
  AgentConfig config = std::move(*built);
  if (Status s = config.Finish(); !s.ok()) {
    fmt::print(stderr, "ava-agent: {}\n", s.message());
    return 2;
  }
  std::unique_ptr<Logger> logger;
  if (config.log_file.empty()) {
    logger = std::make_unique<StderrLogger>(config.log_level);
  } else {
    logger = std::make_unique<FileLogger>(config.log_file, config.log_level);
  }
  auto fail = [&](const Status& s) {
    AVA_LOG(logger.get(), kError, "agent", "{}", s.ToString());
    return 1;
  };
  SystemClock clock;
  MetricsRegistry metrics;

  std::string token;
  if (!config.token_file.empty()) {
    Result<std::string> t = ReadTokenFile(config.token_file);
    if (!t.ok()) return fail(t.status());
    token = *t;
  }
  Result<std::unique_ptr<gpu::GpuInventory>> inventory = OpenInventory(config);
  if (!inventory.ok()) return fail(inventory.status());
  Result<gpu::NodeInventory> node = (*inventory)->Discover();
  if (!node.ok()) return fail(node.status().Annotate("cannot describe this node"));
  if (Status s = MakeDirs(config.state_dir, 0700); !s.ok()) return fail(s.Annotate("state directory"));

  // Block the signals the agent handles before any thread starts, and take them on one thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  MountMode mode = config.mount_mode;
  if (mode == MountMode::kAuto) mode = ::geteuid() == 0 ? MountMode::kNamespace : MountMode::kSymlink;

  AvafsDaemonOptions avafs_opts;
  avafs_opts.settings = config.avafs;
  avafs_opts.state_dir = config.state_dir;
  avafs_opts.clock = &clock;
  avafs_opts.logger = logger.get();
  avafs_opts.metrics = &metrics;
  AvafsDaemon avafs(avafs_opts);
  if (Status s = avafs.Start(); !s.ok()) return fail(s.Annotate("avafs"));

  JobManagerOptions job_opts;
  job_opts.state_dir = config.state_dir;
  job_opts.supervisor_argv = {SelfExe(), "supervise"};
  job_opts.node = config.node;
  job_opts.node_gpu_count = node->gpu_count();
  job_opts.tree_root = config.avafs.mount_point;
  job_opts.mode = mode;
  job_opts.kill_grace = config.kill_grace;
  job_opts.base_env = PassthroughEnv(environ);
  job_opts.clock = &clock;
  job_opts.logger = logger.get();
  job_opts.metrics = &metrics;
  JobManager jobs(job_opts);
  if (Status s = jobs.Reattach(); !s.ok()) return fail(s.Annotate("re-attaching to jobs"));

  HttpAvadClient client(config.server, token);
  AgentDeps deps{&clock, logger.get(), &metrics, inventory->get(), &client, &jobs, &avafs};
  Agent agent(config, deps);

  HttpServer http;
  if (!config.metrics_address.empty()) {
    std::string host;
    int port = 0;
    if (Status s = ParseHostPort(config.metrics_address, &host, &port); !s.ok()) return fail(s);
    http.server().Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics.RenderPrometheus(), "text/plain; version=0.0.4");
    });
    http.server().Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    Result<int> bound = http.Start(host, port);
    if (!bound.ok()) return fail(bound.status().Annotate("metrics endpoint"));
    AVA_LOG(logger.get(), kInfo, "agent", "metrics on http://{}:{}/metrics", host, *bound);
  }

  std::thread signals([&agent, &stop_signals, &logger] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    AVA_LOG(logger.get(), kInfo, "agent", "received {}; stopping (jobs keep running)",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    agent.Stop();
  });
  AVA_LOG(logger.get(), kInfo, "agent", "ava-agent {} on node {}: {} GPU(s), state in {}, mounts by {}",
          kAgentVersion, config.node, node->gpu_count(), config.state_dir, MountModeName(mode));
  agent.Run();
  signals.join();
  http.Stop();
  if (jobs.running() == 0) {
    avafs.Stop().IgnoreError();
  } else {
    AVA_LOG(logger.get(), kInfo, "agent", "{} job(s) still running: the avafs daemon stays up for them",
            jobs.running());
  }
  return 0;
}

int RunDiscover(const Flags& flags, bool topo) {
  Result<AgentConfig> c = BuildConfig(flags);
  if (!c.ok()) {
    fmt::print(stderr, "ava-agent discover: {}\n", c.status().message());
    return 2;
  }
  if (c->node.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    c->node = host;
  }
  Result<std::unique_ptr<gpu::GpuInventory>> inventory = OpenInventory(*c);
  if (!inventory.ok()) {
    fmt::print(stderr, "ava-agent discover: {}\n", inventory.status().message());
    return 1;
  }
  Result<gpu::NodeInventory> node = (*inventory)->Discover();
  if (!node.ok()) {
    fmt::print(stderr, "ava-agent discover: {}\n", node.status().message());
    return 1;
  }
  if (topo) {
    fmt::print("{}", gpu::FormatTopoMatrix(*node));
  } else {
    fmt::print("{}\n", NodeInventoryToJson(*node).dump(2));
  }
  return 0;
}

}  // namespace
}  // namespace ava::agent

int main(int argc, char** argv) {
  using namespace ava::agent;
  CLI::App app(kDescription, "ava-agent");
  app.get_formatter()->column_width(34);
  Flags flags;
  AddConfigFlags(&app, &flags);
  app.set_version_flag("--version", std::string("ava-agent ") + kAgentVersion);

  auto* discover =
      app.add_subcommand("discover", "Print this node's inventory (JSON, as sent to avad) and exit.");
  Flags discover_flags;
  bool topo = false;
  discover->add_option("-c,--config", discover_flags.config,
                       "Agent config file to take node/inventory/NVML from.");
  discover->add_option("--node", discover_flags.node, "Node name (default: the host name).");
  discover->add_option("--inventory", discover_flags.inventory,
                       "Describe the node from this inventory file.");
  discover->add_option("--nvml-library", discover_flags.nvml_library, "NVML library to dlopen.");
  discover->add_option("--gpu-model", discover_flags.gpu_model, "Model name for NVML-discovered GPUs.");
  discover->add_flag("--topo", topo,
                     "Print the GPU path matrix in the layout of `nvidia-smi topo -m` instead.");

  auto* supervise = app.add_subcommand(
      "supervise", "Internal: supervise the job in JOB_DIR (started by the agent; see docs/agent.md).");
  std::string job_dir;
  supervise->add_option("JOB_DIR", job_dir, "The job's state directory.")->required();
  app.require_subcommand(0, 1);

  CLI11_PARSE(app, argc, argv);
  if (*supervise) {
    ava::SystemClock clock;
    ava::StderrLogger logger(ava::LogLevel::kInfo);
    return RunSupervisor(job_dir, &clock, &logger);
  }
  if (*discover) return RunDiscover(discover_flags, topo);
  return RunAgent(flags);
}
