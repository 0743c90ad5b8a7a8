#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "avafs/commands.h"
#include "avafs/control_client.h"

namespace ava::avafs {

Command RegisterFlush(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("flush", "Upload pending changes under a path to the cloud store now, and wait.");
  struct Args {
    std::vector<std::string> paths;
    int timeout = 600;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("PATH", args->paths, "Files or directories inside a writable avafs mount.")->required();
  cmd->add_option("--timeout", args->timeout, "Seconds to wait for the uploads (default 600).")
      ->check(CLI::Range(1, 86400));
  cmd->footer(
      "Writes are durable once close() or fsync() returns: they are on the mount's durable tier. Uploads to\n"
      "the cloud store follow in the background (after the mount's upload_delay, or at once when the\n"
      "durable tier is filling up). 'avafs flush' makes every pending upload under PATH due now and returns\n"
      "when all of them reached the cloud store. Exit status: 0 when done, 1 on timeout or error (the\n"
      "uploads go on being retried in the background).");
  return [args] {
    int rc = 0;
    for (const auto& p : args->paths) {
      Result<MountedPath> where = LocateInMount(p);
      if (!where.ok()) {
        fmt::print(stderr, "avafs flush: {}\n", where.status().message());
        rc = 1;
        continue;
      }
      int http = 0;
      Result<nlohmann::json> r = PostJson(
          where->control, "/flush", {{"path", where->tree_path}, {"timeout_seconds", args->timeout}}, &http);
      if (!r.ok()) {
        fmt::print(stderr, "avafs flush: {}\n", r.status().message());
        rc = 1;
      } else if (!r->value("ok", false)) {
        fmt::print(stderr, "avafs flush: {}: {}\n", p, (*r)["error"].value("message", std::string("failed")));
        rc = 1;
      } else {
        fmt::print("{}: every change is in the cloud store\n", p);
      }
    }
    return rc;
  };
}

}  // namespace ava::avafs
