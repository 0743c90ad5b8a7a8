// `ava quota show`: every quota.
#include <ostream>

#include "cli/cli_context.h"
#include "cli/table.h"

namespace ava::cli {

void RegisterQuotaShow(CLI::App& quota, CliContext& ctx) {
  auto* cmd = quota.add_subcommand("show", "Show the GPU quotas of users and groups.");
  cmd->callback([&ctx] {
    ctx.selected = [&ctx] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Result<Json> q = client->Get("/v1/quotas");
      if (!q.ok()) return ctx.Fail(q.status());
      if (ctx.json) {
        ctx.PrintJson((*q)["items"]);
        return kExitOk;
      }
      if ((*q)["items"].empty()) {
        ctx.out << "no quotas: everyone may use every GPU\n";
        return kExitOk;
      }
      Table t({"SCOPE", "NAME", "MODEL", "MAX GPUS"});
      for (const Json& e : (*q)["items"]) {
        t.AddRow({e.value("scope", std::string()), e.value("name", std::string()),
                  e.value("gpu_model", std::string()), std::to_string(e.value("max_gpus", int64_t{0}))});
      }
      t.Print(ctx.out);
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
