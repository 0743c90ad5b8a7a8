#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "avafs/commands.h"
#include "avafs/control_client.h"
#include "common/units.h"
#include "fs/control_server.h"

namespace ava::avafs {

namespace {

struct Args {
  std::vector<std::string> paths;
  std::string list;
  bool metadata_only = false;
  int parallel = 16;
  bool quiet = false;
};

double Seconds(Nanos d) { return static_cast<double>(d.count()) / 1e9; }

std::string ProgressLine(const fs::WarmProgress& p, int width) {
  if (!p.listing_done) return "listing…";
  double frac = p.bytes_total > 0
                    ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)
                    : (p.files_total > 0 ? static_cast<double>(p.files_done) / p.files_total : 1.0);
  int filled = static_cast<int>(frac * width);
  double secs = Seconds(p.elapsed);
  double rate = secs > 0 ? static_cast<double>(p.bytes_done) / secs : 0;
  std::string eta = "-";
  if (rate > 0 && p.bytes_done < p.bytes_total) {
    eta = FormatDuration(
        Nanos(static_cast<int64_t>(static_cast<double>(p.bytes_total - p.bytes_done) / rate * 1e9)));
  }
  return fmt::format("[{}{}] {:5.1f}%  {}/{} files  {}/{}  {}  ETA {}{}", std::string(filled, '#'),
                     std::string(width - filled, '.'), frac * 100, p.files_done, p.files_total,
                     FormatBytes(p.bytes_done), FormatBytes(p.bytes_total), FormatRate(rate), eta,
                     p.errors > 0 ? fmt::format("  {} errors", p.errors) : "");
}

// Warms `tree_paths` through the daemon at `control`; returns the final progress.
Result<fs::WarmProgress> WarmOne(const std::string& control, const std::vector<std::string>& tree_paths,
                                 const Args& args) {
  nlohmann::json body = {
      {"paths", tree_paths}, {"metadata_only", args.metadata_only}, {"parallel", args.parallel}};
  const bool tty = isatty(STDERR_FILENO) != 0;
  fs::WarmProgress last;
  std::string error;
  double last_print = -10;
  Status s = PostStreaming(control, "/warm", body, [&](const std::string& line) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return;
    last = fs::WarmProgressFromJson(j);
    if (j.contains("error")) error = j["error"].get<std::string>();
    if (args.quiet) return;
    if (tty) {
      fmt::print(stderr, "\r\033[K{}", ProgressLine(last, 30));
    } else if (Seconds(last.elapsed) - last_print >= 5 || j.value("done", false)) {
      // Not a terminal (a log file): one line every few seconds instead of a redrawn bar.
      fmt::print(stderr, "{}\n", ProgressLine(last, 20));
      last_print = Seconds(last.elapsed);
    }
  });
  if (tty && !args.quiet) fmt::print(stderr, "\n");
  if (!s.ok()) return s;
  if (!error.empty()) return Status::InvalidArgument(error);
  return last;
}

Result<std::vector<std::string>> ReadList(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Status::NotFound(fmt::format("cannot read the list file {}", file));
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

}  // namespace

Command RegisterWarm(CLI::App& app) {
  auto* cmd = app.add_subcommand("warm", "Load files or whole directories into the cache before training.");
  auto args = std::make_shared<Args>();
  cmd->add_option("PATH", args->paths,
                  "Files or directories inside an avafs mount; directories are warmed whole.");
  cmd->add_option(
      "--list", args->list,
      "A file with one path per line (blank lines and lines starting with # are skipped), warmed\n"
      "in addition to the PATH arguments. Relative paths are taken from the current directory.");
  cmd->add_flag(
      "--metadata-only", args->metadata_only,
      "Load only listings and sizes (every directory below each PATH), not file contents: 'ls -R',\n"
      "'find' and opens are then answered without asking the store.");
  cmd->add_option("--parallel", args->parallel, "Files fetched at once (default 16, at most 256).")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("-q,--quiet", args->quiet, "No progress bar; print only the summary.");
  cmd->footer(
      "The daemon serving the mount does the work: blocks go into its RAM and SSD tiers and survive the\n"
      "warm command (on SSD, also a restart of the daemon). Blocks already cached are not fetched again.\n"
      "Warm-up shares the daemon's memory bound with readers, so it can run while a job trains.\n"
      "Exit status: 0 when every file was warmed, 1 otherwise (the first error is printed).");
  return [args] {
    std::vector<std::string> paths = args->paths;
    if (!args->list.empty()) {
      Result<std::vector<std::string>> listed = ReadList(args->list);
      if (!listed.ok()) {
        fmt::print(stderr, "avafs warm: {}\n", listed.status().message());
        return 1;
      }
      paths.insert(paths.end(), listed->begin(), listed->end());
    }
    if (paths.empty()) {
      fmt::print(stderr, "avafs warm: give at least one PATH or --list FILE\n");
      return 2;
    }
    // Paths may lie in different avafs mounts: group them by daemon.
    std::map<std::string, std::vector<std::string>> by_daemon;
    for (const auto& p : paths) {
      Result<MountedPath> where = LocateInMount(p);
      if (!where.ok()) {
        fmt::print(stderr, "avafs warm: {}\n", where.status().message());
        return 1;
      }
      by_daemon[where->control].push_back(where->tree_path);
    }
    int rc = 0;
    for (const auto& [control, tree_paths] : by_daemon) {
      Result<fs::WarmProgress> r = WarmOne(control, tree_paths, *args);
      if (!r.ok()) {
        fmt::print(stderr, "avafs warm: {}\n", r.status().message());
        rc = 1;
        continue;
      }
      const fs::WarmProgress& p = *r;
      double secs = Seconds(p.elapsed);
      fmt::print(
          "warmed {} files, {}{} in {} ({}); fetched {} from the stores, {} were cached already; {} errors\n",
          p.files_done, FormatBytes(p.bytes_done), args->metadata_only ? " (metadata only)" : "",
          FormatDuration(p.elapsed), FormatRate(secs > 0 ? static_cast<double>(p.bytes_done) / secs : 0),
          FormatBytes(p.bytes_fetched), FormatBytes(p.bytes_done - std::min(p.bytes_done, p.bytes_fetched)),
          p.errors);
      if (p.errors > 0) {
        fmt::print(stderr, "avafs warm: first error: {}\n", p.first_error);
        rc = 1;
      }
    }
    return rc;
  };
}

}  // namespace ava::avafs
