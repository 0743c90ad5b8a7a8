// `ava job cancel ID`: cancels a waiting or running job (a running one is killed by its agent).
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"

namespace ava::cli {

void RegisterJobCancel(CLI::App& job, CliContext& ctx) {
  auto* cmd = job.add_subcommand("cancel", "Cancel a job; a running job is killed on its node.");
  auto id = std::make_shared<int64_t>(0);
  cmd->add_option("ID", *id, "job id")->required();
  cmd->callback([&ctx, id] {
    ctx.selected = [&ctx, id] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Result<Json> j = client->Post(fmt::format("/v1/jobs/{}/cancel", *id), "{}", "application/json");
      if (!j.ok()) return ctx.Fail(j.status());
      if (ctx.json) {
        ctx.PrintJson(*j);
      } else {
        ctx.out << fmt::format("job {} {}\n", *id, j->value("state", std::string()));
      }
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
