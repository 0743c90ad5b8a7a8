// avad: Ava's control plane — users, groups, tokens, the GPU pool, quotas, the job queue and
// scheduler, workspaces and logs — behind a REST API (docs/api.md).
#include <cstdio>
#include <vector>

#include "avad/commands.h"

namespace {

constexpr const char* kHelp =
    "avad is Ava's control plane: the REST API (docs/api.md) that the `ava` CLI and the node agents\n"
    "(ava-agent) talk to, the job queue and its scheduler, and the database of users, groups, tokens,\n"
    "nodes, quotas, jobs, events and logs.\n"
    "\n"
    "USAGE\n"
    "  avad [serve] [OPTIONS]      serve the API until SIGINT/SIGTERM (the first start on an empty\n"
    "                              database creates the admin and prints its token once)\n"
    "  avad init [--admin NAME]    create the database and its first admin; print the admin's token\n"
    "  avad node-token NODE        print a new token for the agent of NODE\n"
    "\n"
    "CONFIGURATION\n"
    "  --config avad.yaml holds the same settings as the flags (docs/avad.md lists every key); a flag\n"
    "  wins over the file. The database defaults to sqlite://<state_dir>/ava.db (state_dir\n"
    "  /var/lib/ava); --db postgres://ava@db1/ava uses PostgreSQL.\n"
    "\n"
    "EXAMPLES\n"
    "  avad init --state-dir /var/lib/ava\n"
    "  avad --state-dir /var/lib/ava --listen 0.0.0.0:7070\n"
    "  avad node-token gpu-7 --state-dir /var/lib/ava > agent.token\n"
    "  avad --config /etc/ava/avad.yaml --scheduler-policy topology\n"
    "\n"
    "EXIT STATUS\n"
    "  0 stopped cleanly, 1 failure (database, address in use), 2 bad usage or configuration.\n"
    "\n"
    "SEE ALSO\n"
    "  ava --help, docs/avad.md, docs/api.md, GET /v1/openapi.json";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kHelp, "avad"};
  app.fallthrough();
  app.require_subcommand(0, 1);
  ava::avad::AvadCommandLine flags;
  flags.Bind(app);
  std::vector<std::pair<CLI::App*, ava::avad::Command>> commands;
  auto add = [&](ava::avad::Command (*reg)(CLI::App&, const ava::avad::AvadCommandLine&)) {
    size_t before = app.get_subcommands({}).size();
    ava::avad::Command run = reg(app, flags);
    commands.emplace_back(app.get_subcommands({})[before], std::move(run));
  };
  add(ava::avad::RegisterServe);
  add(ava::avad::RegisterInit);
  add(ava::avad::RegisterNodeToken);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, or the error
    return code == 0 ? 0 : 2;
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return commands.front().second();  // no command: serve
}
