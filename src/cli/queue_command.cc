// `ava queue`: waiting jobs in order, with position and why each waits.
#include <ostream>

#include "cli/cli_context.h"
#include "cli/format.h"
#include "cli/table.h"

namespace ava::cli {

void RegisterQueue(CLI::App& app, CliContext& ctx) {
  auto* cmd =
      app.add_subcommand("queue", "Show the waiting jobs in order, each with its position and why it waits.");
  cmd->callback([&ctx] {
    ctx.selected = [&ctx] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Result<Json> q = client->Get("/v1/queue");
      if (!q.ok()) return ctx.Fail(q.status());
      if (ctx.json) {
        ctx.PrintJson((*q)["items"]);
        return kExitOk;
      }
      if ((*q)["items"].empty()) {
        ctx.out << "no job is waiting\n";
        return kExitOk;
      }
      Table t({"POS", "ID", "NAME", "USER", "GROUP", "PRIO", "REQUESTED", "WAITING BECAUSE"});
      for (const Json& w : (*q)["items"]) {
        const Json group = w.value("group", Json());
        const Json requested = w.value("requested", Json::object());
        t.AddRow({std::to_string(w.value("position", 0)), std::to_string(w.value("id", int64_t{0})),
                  Shorten(w.value("name", std::string()), 20), w.value("user", std::string()),
                  group.is_string() ? group.get<std::string>() : "-", std::to_string(w.value("priority", 0)),
                  FormatResources(requested, requested.value("gang", int64_t{1})),
                  w.value("reason", std::string())});
      }
      t.Print(ctx.out);
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
