// The avafs command-line tool, one file per command: `avafs mount` (the daemon), `avafs warm`,
// `avafs stats`, `avafs flush`, `avafs umount`. Each Register* adds its subcommand to the app and returns the
// function that runs it (exit code 0 on success, 1 on failure).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace ava::avafs {

using Command = std::function<int()>;

Command RegisterMount(CLI::App& app);
Command RegisterWarm(CLI::App& app);
Command RegisterStats(CLI::App& app);
Command RegisterUmount(CLI::App& app);
Command RegisterFlush(CLI::App& app);

}  // namespace ava::avafs
