// `ava quota set (--user U | --group G) [--model M] MAX_GPUS` (admins).
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"

namespace ava::cli {

void RegisterQuotaSet(CLI::App& quota, CliContext& ctx) {
  auto* cmd =
      quota.add_subcommand("set",
                           "Set how many GPUs a user or a group may hold at once, in total or of one model\n"
                           "(admins). Jobs over a quota wait in the queue with the quota as their reason.");
  auto user = std::make_shared<std::string>();
  auto group = std::make_shared<std::string>();
  auto model = std::make_shared<std::string>("*");
  auto max = std::make_shared<int64_t>(0);
  auto* u = cmd->add_option("--user", *user, "the user the quota is for");
  auto* g = cmd->add_option("--group", *group, "the group the quota is for");
  u->excludes(g);
  cmd->add_option("--model", *model, "only GPUs of this model (default: any model)");
  cmd->add_option("MAX_GPUS", *max, "GPUs at once")->required()->check(CLI::NonNegativeNumber);
  cmd->callback([&ctx, user, group, model, max] {
    ctx.selected = [&ctx, user, group, model, max] {
      if (user->empty() == group->empty()) {
        ctx.err << "ava: give exactly one of --user and --group\n";
        return kExitUsage;
      }
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Json body = {{"scope", user->empty() ? "group" : "user"},
                   {"name", user->empty() ? *group : *user},
                   {"gpu_model", *model},
                   {"max_gpus", *max}};
      std::string field;
      Result<Json> q = client->Put("/v1/quotas", body, &field);
      if (!q.ok()) return ctx.Fail(q.status(), field);
      if (ctx.json) {
        ctx.PrintJson(*q);
      } else {
        ctx.out << fmt::format("quota of {} {}: {} GPUs{}\n", q->value("scope", std::string()),
                               q->value("name", std::string()), q->value("max_gpus", int64_t{0}),
                               *model == "*" ? "" : " of model " + *model);
      }
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
