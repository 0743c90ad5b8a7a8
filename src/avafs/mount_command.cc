#include <fmt/format.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "avafs/commands.h"
#include "avafs/daemon.h"
#include "cache/tiered_cache.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/thread_pool.h"
#include "fs/avafs_config.h"
#include "fs/block_fetcher.h"
#include "fs/control_server.h"
#include "fs/file_system.h"
#include "fs/fuse_server.h"
#include "fs/memory_budget.h"
#include "fs/warmer.h"
#include "fs/write_back.h"
#include "store/store_config.h"

namespace ava::avafs {

namespace {

struct Args {
  std::string config;
  std::string mountpoint;
  bool foreground = false;
  std::string metadata_ttl;
  std::vector<std::string> cache_options;
  std::string control;
  std::string log_file;
  std::string log_level = "info";
  bool allow_other = false;
  bool debug_fuse = false;
  int threads = 64;
};

// Applies command-line overrides on top of the mount table.
Status ApplyFlags(const Args& args, fs::AvafsConfig* config) {
  if (!args.metadata_ttl.empty()) {
    AVA_ASSIGN_OR_RETURN(config->metadata_ttl, fs::MetadataTtl::Parse(args.metadata_ttl));
  }
  for (const auto& opt : args.cache_options) {
    size_t eq = opt.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(
          fmt::format("--cache '{}' is not NAME=VALUE (e.g. ram_capacity=4GiB)", opt));
    }
    AVA_RETURN_IF_ERROR(cache::SetCacheOption(&config->cache, opt.substr(0, eq), opt.substr(eq + 1)));
  }
  if (!args.control.empty()) config->control_address = args.control;
  return config->Validate();
}

int RunMount(const Args& args) {
  auto usage_error = [](const std::string& m) {
    fmt::print(stderr, "avafs mount: {}\n", m);
    return 1;
  };
  LogLevel level = LogLevel::kInfo;
  if (!ParseLogLevel(args.log_level, &level))
    return usage_error(fmt::format("unknown log level '{}'", args.log_level));
  Result<fs::AvafsConfig> loaded = fs::LoadAvafsConfig(args.config);
  if (!loaded.ok()) return usage_error(loaded.status().message());
  fs::AvafsConfig config = std::move(*loaded);
  if (Status s = ApplyFlags(args, &config); !s.ok()) return usage_error(s.message());
  std::string mountpoint = args.mountpoint;
  if (char* real = ::realpath(mountpoint.c_str(), nullptr)) {
    mountpoint = real;  // the daemon changes directory to /
    std::free(real);
  }

  std::string log_path = args.log_file;
  if (log_path.empty() && !args.foreground)
    log_path = fmt::format("/tmp/avafs-{}-{}.log", getuid(), getpid());
  // Everything below happens in the daemon: it reports success or the first error to this terminal.
  DaemonLink link = DaemonLink::Foreground();
  if (!args.foreground) {
    Result<DaemonLink> detached = DaemonLink::Detach();
    if (!detached.ok()) return usage_error(detached.status().ToString());
    link = *detached;
  }
  auto fail = [&link](const std::string& m) { link.Fail(fmt::format("avafs mount: {}\n", m)); };

  // Block buffers are 1 MiB; with glibc's dynamic mmap threshold they soon come from the heap,
  // which keeps freed memory, and RSS drifts far above the configured bound. A fixed threshold
  // keeps them mmapped, so freeing a block returns its memory.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  std::unique_ptr<Logger> logger;
  if (log_path.empty()) {
    logger = std::make_unique<StderrLogger>(level);
  } else {
    logger = std::make_unique<FileLogger>(log_path, level);
  }
  SystemClock clock;
  MetricsRegistry metrics;

  // Every store is opened (and probed) before mounting, so a typo in an endpoint or a rejected key
  // fails here, with the reason, instead of as EIO later.
  std::vector<std::unique_ptr<store::ObjectStore>> stores;
  std::vector<std::unique_ptr<fs::WriteBack>> writebacks;
  std::vector<fs::FsMount> mounts;
  store::StoreEnv store_env{&clock, logger.get(), &metrics};
  auto open_store = [&](const store::StoreConfig& c, const std::string& what) -> store::ObjectStore* {
    Result<std::unique_ptr<store::ObjectStore>> st = store::OpenStore(c, store_env);
    if (!st.ok()) fail(fmt::format("{}: {}", what, st.status().message()));
    stores.push_back(std::move(*st));
    return stores.back().get();
  };
  bool writable = false;
  for (const auto& m : config.mounts) {
    store::ObjectStore* cloud = m.store ? open_store(*m.store, fmt::format("mount '{}'", m.name)) : nullptr;
    if (!m.writable) {
      mounts.push_back(fs::FsMount{m.name, cloud, m.prefix, nullptr});
      continue;
    }
    writable = true;
    store::ObjectStore* durable =
        open_store(m.writable->durable, fmt::format("mount '{}', durable tier", m.name));
    Result<std::unique_ptr<fs::WriteBack>> wb = fs::WriteBack::Open(
        m.writable->writeback, m.name, durable, cloud, fs::WritebackEnv{&clock, logger.get(), &metrics});
    if (!wb.ok()) fail(fmt::format("mount '{}': {}", m.name, wb.status().message()));
    mounts.push_back(fs::FsMount{m.name, (*wb)->view(), m.prefix, wb->get()});
    writebacks.push_back(std::move(*wb));
  }

  fs::FuseMountOptions fuse_opts;
  fuse_opts.mountpoint = mountpoint;
  fuse_opts.allow_other = args.allow_other;
  fuse_opts.debug = args.debug_fuse;
  fuse_opts.max_threads = args.threads;
  fuse_opts.block_size = static_cast<uint32_t>(config.read.block_size);
  fuse_opts.read_only = !writable;
  cache::CacheEnv cache_env{&clock, logger.get(), &metrics};
  Result<std::unique_ptr<cache::TieredCache>> cache = cache::TieredCache::Open(config.cache, cache_env);
  if (!cache.ok()) fail(fmt::format("cache: {}", cache.status().message()));
  Result<std::unique_ptr<fs::FuseServer>> server = fs::FuseServer::Mount(fuse_opts, logger.get());
  if (!server.ok()) fail(server.status().message());

  (*cache)->Start();
  for (auto& wb : writebacks) wb->Start();
  fs::MemoryBudget budget(config.read.fetch_buffers);
  metrics.AddCallbackGauge("avafs_fetch_buffer_bytes", "Bytes held by fetches in progress", {},
                           [&budget] { return static_cast<double>(budget.used()); });
  metrics.AddCallbackGauge("avafs_fetch_buffer_limit_bytes", "Bound on bytes held by fetches", {},
                           [&budget] { return static_cast<double>(budget.limit()); });
  ThreadPool fetch_pool(static_cast<size_t>(config.read.fetch_threads), "avafs-fetch");
  fs::FetcherConfig fetch_cfg{config.read.block_size, config.read.max_request};
  fs::BlockFetcher fetcher(fetch_cfg, cache->get(), &fetch_pool, &budget, &metrics, logger.get());

  fs::FsOptions fs_opts;
  fs_opts.metadata_ttl = config.metadata_ttl;
  fs_opts.max_readahead_blocks =
      static_cast<uint32_t>(std::max<uint64_t>(1, config.read.max_readahead / config.read.block_size));
  fs_opts.uid = getuid();
  fs_opts.gid = getgid();
  fs::FileSystem filesystem(std::move(mounts), fs_opts, fs::FsEnv{&clock, logger.get(), &metrics, &fetcher});
  fs::Warmer warmer(&filesystem, &fetcher, &clock);
  fs::ControlServer control(&filesystem, &warmer, cache->get(), &budget, &metrics, logger.get());
  Result<std::string> address = control.Start(config.control_address);
  if (!address.ok()) fail(fmt::format("control endpoint: {}", address.status().message()));
  filesystem.set_control_address(*address);
  AVA_LOG(logger.get(), kInfo, "avafs", "serving {} mount(s) on {}; metadata TTL {}; control http://{}",
          config.mounts.size(), mountpoint, config.metadata_ttl.ToString(), *address);
  link.Ready(link.foreground()
                 ? ""
                 : fmt::format("avafs: mounted {} on {}; log in {}\n", args.config, mountpoint, log_path));

  Status served = (*server)->Serve(&filesystem, &clock, &metrics);
  AVA_LOG(logger.get(), kInfo, "avafs", "unmounted {}; saving the cache index", mountpoint);
  control.Stop();
  for (auto& wb : writebacks) wb->Stop();
  (*cache)->Stop();
  fetch_pool.Shutdown();
  if (!served.ok()) {
    AVA_LOG(logger.get(), kError, "avafs", "{}", served.ToString());
    return 1;
  }
  return 0;
}

}  // namespace

Command RegisterMount(CLI::App& app) {
  auto* cmd = app.add_subcommand("mount", "Serve a mount table at a mount point (the avafs daemon).");
  auto args = std::make_shared<Args>();
  cmd->add_option("CONFIG", args->config, "The mount table (YAML): stores, cache tiers, read settings.")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("MOUNTPOINT", args->mountpoint, "An existing empty directory to mount on.")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("-f,--foreground", args->foreground,
                "Stay in the foreground and log to stderr (default: detach once mounted, log to a file).");
  cmd->add_option(
      "--metadata-ttl", args->metadata_ttl,
      "How long listings, sizes and 'no such file' answers are trusted: 'indefinite' for datasets\n"
      "that never change, 'minimal' (1 s) for data others change, or a duration (default 60s).");
  cmd->add_option("--cache", args->cache_options,
                  "Override a cache setting, NAME=VALUE, repeatable: ram_capacity, ram_high_watermark,\n"
                  "ram_low_watermark, ssd_dir, ssd_capacity, ssd_high_watermark, ssd_low_watermark, …");
  cmd->add_option(
      "--control", args->control,
      "host:port of the control endpoint (/metrics, /stats, /warm); default 127.0.0.1:0 = any port.");
  cmd->add_option("--log-file", args->log_file, "Append log lines to this file.");
  cmd->add_option("--log-level", args->log_level, "debug, info (default), warn or error.");
  cmd->add_flag("--allow-other", args->allow_other,
                "Let other users read the mount (non-root needs user_allow_other in /etc/fuse.conf).");
  cmd->add_option("--threads", args->threads, "Threads answering kernel requests (default 64).")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--debug-fuse", args->debug_fuse,
                "Trace every FUSE request on stderr (implies nothing else).");
  cmd->footer(
      "Objects appear as files and common prefixes (by '/') as directories; each mount of the table is a\n"
      "directory under MOUNTPOINT. Mounts are read-only unless the table gives them a 'writable' section\n"
      "(a durable tier, and uploads to the cloud store in the background). Every store is contacted before\n"
      "mounting, so an unreachable endpoint or rejected credentials fail here with the reason.\n"
      "A tree with no writable mount lets the kernel open files without asking the daemon and keep\n"
      "their pages across opens (a new ETag seen on revalidation drops them). Writes of files larger\n"
      "than upload_part_size go to the durable tier part by part while they are written.\n"
      "Unmount with 'avafs umount MOUNTPOINT'; the SSD tier's index is saved and the next mount starts\n"
      "warm. Memory: cache.ram_capacity + read.fetch_buffers bound what the daemon holds in data\n"
      "buffers; each large file being committed adds up to upload_threads x upload_part_size.");
  return [args] { return RunMount(*args); };
}

}  // namespace ava::avafs
