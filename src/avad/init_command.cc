// `avad init`: creates the first admin of an empty database and prints its token, once.
#include <fmt/format.h>

#include <cstdio>

#include "api/bootstrap.h"
#include "avad/commands.h"

namespace ava::avad {

Command RegisterInit(CLI::App& app, const AvadCommandLine& flags) {
  auto* cmd = app.add_subcommand(
      "init",
      "Create the database (migrated to the current schema) and its first admin, printing the admin's\n"
      "token once. Does nothing on a database that already has users.");
  auto admin = std::make_shared<std::string>();
  cmd->add_option("--admin", *admin, "name of the admin to create (default: the config's admin, 'admin')");
  return [&flags, admin]() {
    Result<AvadConfig> config = flags.Resolve();
    if (!config.ok()) {
      fmt::print(stderr, "avad init: {}\n", config.status().message());
      return 2;
    }
    if (!admin->empty()) config->admin = *admin;
    // One-shot commands print their result; the store's progress notes would only be noise.
    if (config->log_level < LogLevel::kWarn) config->log_level = LogLevel::kWarn;
    SystemClock clock;
    Result<Opened> opened = OpenFromConfig(*config, &clock, nullptr);
    if (!opened.ok()) {
      fmt::print(stderr, "avad init: {}\n", opened.status().ToString());
      return 1;
    }
    Result<std::optional<std::string>> token = api::EnsureAdmin(*opened->store, config->admin);
    if (!token.ok()) {
      fmt::print(stderr, "avad init: {}\n", token.status().ToString());
      return 1;
    }
    if (!token->has_value()) {
      fmt::print("avad init: {} already has users; nothing to do\n", config->DatabaseUrl());
      return 0;
    }
    fmt::print("created admin '{}' in {}\n", config->admin, config->DatabaseUrl());
    fmt::print("its token (shown once; `ava login` stores it):\n{}\n", **token);
    return 0;
  };
}

}  // namespace ava::avad
