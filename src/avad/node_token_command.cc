// `avad node-token NODE`: a new token for the agent of NODE, printed alone on stdout.
#include <fmt/format.h>

#include <cstdio>

#include "api/bootstrap.h"
#include "avad/commands.h"

namespace ava::avad {

Command RegisterNodeToken(CLI::App& app, const AvadCommandLine& flags) {
  auto* cmd = app.add_subcommand(
      "node-token",
      "Make a token for the agent of NODE (the built-in user agent:NODE) and print it alone on stdout:\n"
      "  avad node-token gpu-7 > /etc/ava/agent.token\n"
      "The token may only call /v1/agent/… for that node. Each call makes a new token; old ones stay valid.");
  auto node = std::make_shared<std::string>();
  cmd->add_option("NODE", *node, "the node's name, as its agent registers it")->required();
  return [&flags, node]() {
    Result<AvadConfig> config = flags.Resolve();
    if (!config.ok()) {
      fmt::print(stderr, "avad node-token: {}\n", config.status().message());
      return 2;
    }
    // One-shot commands print their result; the store's progress notes would only be noise.
    if (config->log_level < LogLevel::kWarn) config->log_level = LogLevel::kWarn;
    SystemClock clock;
    Result<Opened> opened = OpenFromConfig(*config, &clock, nullptr);
    if (!opened.ok()) {
      fmt::print(stderr, "avad node-token: {}\n", opened.status().ToString());
      return 1;
    }
    Result<std::string> token = api::IssueNodeToken(*opened->store, *node);
    if (!token.ok()) {
      fmt::print(stderr, "avad node-token: {}\n", token.status().ToString());
      return token.status().IsInvalidArgument() ? 2 : 1;
    }
    fmt::print("{}\n", *token);
    return 0;
  };
}

}  // namespace ava::avad
