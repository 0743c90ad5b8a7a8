// RunCli: the whole `ava` command line — `ava <noun> <verb>` — run against the given streams and
// environment, so the binary's main() and the tests share it. Returns the exit code (cli_context.h).
//
// Thread safety: one call per thread; each call builds its own parser and context.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/client_config.h"

namespace ava::cli {

// `args` are the words after the program name.
int RunCli(const std::vector<std::string>& args, const CliEnvironment& env, std::istream& in,
           std::ostream& out, std::ostream& err);

}  // namespace ava::cli
