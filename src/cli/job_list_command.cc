// `ava job list [--state S] [--user U]`: your jobs (admins: everyone's; group admins: the group's).
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"
#include "cli/format.h"
#include "cli/table.h"

namespace ava::cli {

void RegisterJobList(CLI::App& job, CliContext& ctx) {
  auto* cmd = job.add_subcommand("list", "List jobs you may see, oldest first.");
  auto state = std::make_shared<std::string>();
  auto user = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(100);
  cmd->add_option("--state", *state, "only these states, e.g. running or queued,running");
  cmd->add_option("--user", *user, "only this user's jobs");
  cmd->add_option("--limit", *limit, "at most this many (1..1000)")->check(CLI::Range(1, 1000));
  cmd->callback([&ctx, state, user, limit] {
    ctx.selected = [&ctx, state, user, limit] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      std::string path = fmt::format("/v1/jobs?limit={}", *limit);
      if (!state->empty()) path += "&state=" + *state;
      if (!user->empty()) path += "&user=" + *user;
      std::string field;
      Result<Json> list = client->Get(path, &field);
      if (!list.ok()) return ctx.Fail(list.status(), field);
      if (ctx.json) {
        ctx.PrintJson((*list)["items"]);
        return kExitOk;
      }
      Table t({"ID", "NAME", "KIND", "STATE", "USER", "RESOURCES", "PLACEMENT", "SUBMITTED"});
      for (const Json& j : (*list)["items"]) {
        t.AddRow({std::to_string(j.value("id", int64_t{0})), Shorten(j.value("name", std::string()), 24),
                  j.value("kind", std::string()), j.value("state", std::string()),
                  j.value("user", std::string()),
                  FormatResources(j["resources"], j.value("gang", int64_t{1})),
                  FormatPlacement(j["placement"]), FormatWhen(j["submitted"])});
      }
      t.Print(ctx.out);
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
