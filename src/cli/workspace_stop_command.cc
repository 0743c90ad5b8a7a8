// `ava workspace stop ID`.
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"

namespace ava::cli {

void RegisterWorkspaceStop(CLI::App& workspace, CliContext& ctx) {
  auto* cmd = workspace.add_subcommand("stop", "Stop a workspace and return its GPUs.");
  auto id = std::make_shared<int64_t>(0);
  cmd->add_option("ID", *id, "workspace id")->required();
  cmd->callback([&ctx, id] {
    ctx.selected = [&ctx, id] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Result<Json> ws = client->Post(fmt::format("/v1/workspaces/{}/stop", *id), "{}", "application/json");
      if (!ws.ok()) return ctx.Fail(ws.status());
      if (ctx.json) {
        ctx.PrintJson(*ws);
      } else {
        ctx.out << fmt::format("workspace {} stopped\n", *id);
      }
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
