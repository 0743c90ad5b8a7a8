// avafs: mounts object stores as one directory tree with a RAM + SSD block cache.
#include <cstdio>
#include <vector>

#include "avafs/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "avafs mounts object stores (S3: Ceph RGW, MinIO, KODO; local directories) as one directory tree for\n"
      "training jobs, caching blocks in RAM and on SSD. Writable mounts keep what jobs write on a durable\n"
      "tier and upload it to the cloud store in the background.\n\n"
      "  avafs mount CONFIG MOUNTPOINT     serve the mount table CONFIG at MOUNTPOINT\n"
      "  avafs warm PATH... [--list FILE]  load files or directories into the cache ahead of training\n"
      "  avafs stats PATH                  cache, backend and memory statistics of the mount holding PATH\n"
      "  avafs flush PATH                  upload pending writes under PATH to the cloud store now\n"
      "  avafs umount MOUNTPOINT           unmount\n\n"
      "Run 'avafs COMMAND --help' for the options of a command. docs/avafs.md describes the mount table.",
      "avafs"};
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, ava::avafs::Command>> commands;
  auto add = [&](ava::avafs::Command (*reg)(CLI::App&)) {
    size_t before = app.get_subcommands({}).size();
    ava::avafs::Command run = reg(app);
    commands.emplace_back(app.get_subcommands({})[before], std::move(run));
  };
  add(ava::avafs::RegisterMount);
  add(ava::avafs::RegisterWarm);
  add(ava::avafs::RegisterStats);
  add(ava::avafs::RegisterFlush);
  add(ava::avafs::RegisterUmount);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return 2;
}
