#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "avafs/commands.h"
#include "avafs/control_client.h"
#include "common/units.h"

namespace ava::avafs {

namespace {

std::string Ratio(double hits, double misses) {
  double total = hits + misses;
  return total == 0 ? "-" : fmt::format("{:.1f}%", 100.0 * hits / total);
}

void PrintTier(const char* name, const nlohmann::json& t) {
  if (!t.value("enabled", true)) {
    fmt::print("  {:<4} disabled (failing or full; running without it)\n", name);
    return;
  }
  uint64_t cap = t.value("capacity_bytes", 0ull);
  if (cap == 0) {
    fmt::print("  {:<4} off\n", name);
    return;
  }
  double hits = t.value("hits", 0.0), misses = t.value("misses", 0.0);
  fmt::print("  {:<4} {:>10} / {:<10} {:>9} blocks  hits {:>9} ({:>10})  misses {:>9}  hit ratio {:>6}\n",
             name, FormatBytes(t.value("used_bytes", 0ull)), FormatBytes(cap), t.value("blocks", 0ull),
             static_cast<uint64_t>(hits), FormatBytes(t.value("hit_bytes", 0ull)),
             static_cast<uint64_t>(misses), Ratio(hits, misses));
  fmt::print("       inserts {} ({})  evictions {} ({})  corrupt blocks dropped {}\n",
             t.value("inserts", 0ull), FormatBytes(t.value("insert_bytes", 0ull)), t.value("evictions", 0ull),
             FormatBytes(t.value("evicted_bytes", 0ull)), t.value("corrupt_blocks", 0ull));
}

void PrintHuman(const std::string& path, const nlohmann::json& s) {
  fmt::print("avafs statistics for the mount holding {}\n\ncache\n", path);
  PrintTier("ram", s["cache"]["ram"]);
  PrintTier("ssd", s["cache"]["ssd"]);
  const auto& m = s["memory"];
  fmt::print("\nmemory  {} in use of {} (RAM tier {}, fetch buffers {} of {}, peak {})\n",
             FormatBytes(m.value("total_bytes", 0ull)), FormatBytes(m.value("limit_bytes", 0ull)),
             FormatBytes(m.value("ram_tier_bytes", 0ull)), FormatBytes(m.value("fetch_buffers_bytes", 0ull)),
             FormatBytes(m.value("fetch_buffers_limit_bytes", 0ull)),
             FormatBytes(m.value("fetch_buffers_peak_bytes", 0ull)));
  fmt::print("\nbackend requests\n");
  const auto& b = s["backend"];
  if (b.contains("requests")) {
    for (const auto& [op, n] : b["requests"].items()) {
      double errors = b.contains("errors") ? b["errors"].value(op, 0.0) : 0.0;
      double secs = b.contains("seconds") ? b["seconds"].value(op, 0.0) : 0.0;
      double count = n.get<double>();
      fmt::print("  {:<10} {:>10}  errors {:>6}  mean latency {}\n", op, static_cast<uint64_t>(count),
                 static_cast<uint64_t>(errors),
                 count > 0 ? FormatDuration(Nanos(static_cast<int64_t>(secs / count * 1e9))) : "-");
    }
  }
  if (b.contains("bytes")) {
    fmt::print("  bytes in {}  out {}\n", FormatBytes(static_cast<uint64_t>(b["bytes"].value("in", 0.0))),
               FormatBytes(static_cast<uint64_t>(b["bytes"].value("out", 0.0))));
  }
  if (s.contains("metadata")) {
    fmt::print("\nmetadata cache  hits {}  misses {}\n",
               static_cast<uint64_t>(s["metadata"].value("hits", 0.0)),
               static_cast<uint64_t>(s["metadata"].value("misses", 0.0)));
  }
  if (s.contains("read")) {
    fmt::print("read path       {} returned, {} ranged GETs, {} blocks prefetched\n",
               FormatBytes(static_cast<uint64_t>(s["read"].value("bytes_returned", 0.0))),
               static_cast<uint64_t>(s["read"].value("fetch_requests", 0.0)),
               static_cast<uint64_t>(s["read"].value("prefetched_blocks", 0.0)));
  }
  fmt::print("inodes known    {}\n", s.value("inodes", 0ull));
  if (s.contains("writeback")) {
    for (const auto& [name, w] : s["writeback"].items()) {
      fmt::print("\nwritable mount '{}'\n", name);
      uint64_t cap = w.value("durable_capacity_bytes", 0ull);
      fmt::print("  durable tier   {} used of {}\n", FormatBytes(w.value("durable_used_bytes", 0ull)),
                 cap == 0 ? std::string("unlimited") : FormatBytes(cap));
      fmt::print("  being written  {} reserved, {} of RAM held for small files\n",
                 FormatBytes(w.value("staged_bytes", 0ull)),
                 FormatBytes(w.value("staging_memory_bytes", 0ull)));
      if (!w.value("cloud", false)) {
        fmt::print("  no cloud store: the durable tier is the mount's only store\n");
        continue;
      }
      fmt::print("  upload queue   {} change(s), {} not yet in the cloud, oldest {:.1f} s\n",
                 w.value("queue_length", 0ull), FormatBytes(w.value("dirty_bytes", 0ull)),
                 w.value("oldest_pending_seconds", 0.0));
      fmt::print("  uploaded       {}  errors {}  durable copies evicted {}\n",
                 FormatBytes(w.value("uploaded_bytes", 0ull)), w.value("upload_errors", 0ull),
                 w.value("evictions", 0ull));
    }
  }
}

}  // namespace

Command RegisterStats(CLI::App& app) {
  auto* cmd = app.add_subcommand("stats", "Show cache, backend and memory statistics of a running mount.");
  struct Args {
    std::string path;
    bool json = false;
    bool prometheus = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("PATH", args->path, "Any path inside the avafs mount (its mount point, say).")->required();
  cmd->add_flag("--json", args->json, "Print the daemon's statistics as JSON (for scripts).");
  cmd->add_flag("--prometheus", args->prometheus, "Print the raw Prometheus metrics (what /metrics serves).");
  cmd->footer(
      "Hits and misses are counted per tier in requests and bytes; 'backend requests' are the calls avafs\n"
      "made to the object stores. The same figures are served as Prometheus metrics on the daemon's\n"
      "control address (xattr user.avafs.control of any path in the mount) under /metrics.");
  return [args] {
    Result<MountedPath> where = LocateInMount(args->path);
    if (!where.ok()) {
      fmt::print(stderr, "avafs stats: {}\n", where.status().message());
      return 1;
    }
    if (args->prometheus) {
      Result<std::string> text = GetText(where->control, "/metrics");
      if (!text.ok()) {
        fmt::print(stderr, "avafs stats: {}\n", text.status().message());
        return 1;
      }
      fmt::print("{}", *text);
      return 0;
    }
    Result<nlohmann::json> stats = GetJson(where->control, "/stats");
    if (!stats.ok()) {
      fmt::print(stderr, "avafs stats: {}\n", stats.status().message());
      return 1;
    }
    if (args->json) {
      fmt::print("{}\n", stats->dump(2));
    } else {
      PrintHuman(args->path, *stats);
    }
    return 0;
  };
}

}  // namespace ava::avafs
