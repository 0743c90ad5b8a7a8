// `ava workspace list [--all]`: your workspaces (waiting and running; --all: ended ones too).
#include <ostream>

#include "cli/cli_context.h"
#include "cli/format.h"
#include "cli/table.h"

namespace ava::cli {

void RegisterWorkspaceList(CLI::App& workspace, CliContext& ctx) {
  auto* cmd =
      workspace.add_subcommand("list", "List your workspaces that wait or run (--all: also ended ones).");
  auto all = std::make_shared<bool>(false);
  cmd->add_flag("--all", *all, "include workspaces that ended");
  cmd->callback([&ctx, all] {
    ctx.selected = [&ctx, all] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      std::string path = "/v1/jobs?kind=workspace&limit=1000";
      if (!*all) path += "&state=queued,scheduled,running";
      Result<Json> list = client->Get(path);
      if (!list.ok()) return ctx.Fail(list.status());
      if (ctx.json) {
        ctx.PrintJson((*list)["items"]);
        return kExitOk;
      }
      Table t({"ID", "NAME", "STATE", "USER", "RESOURCES", "PLACEMENT", "STARTED", "REASON"});
      for (const Json& j : (*list)["items"]) {
        t.AddRow({std::to_string(j.value("id", int64_t{0})), Shorten(j.value("name", std::string()), 20),
                  j.value("state", std::string()), j.value("user", std::string()),
                  FormatResources(j["resources"]), FormatPlacement(j["placement"]), FormatWhen(j["started"]),
                  j.value("reason", std::string())});
      }
      t.Print(ctx.out);
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
